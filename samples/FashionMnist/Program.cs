if (args.Length > 0 && args[0] == "--bench") return ShapedVit.Samples.FashionMnist.Bench.Run(args);
return ShapedVit.Samples.FashionMnist.FashionMnistCommand.Run(args, Console.Out, Console.Error);
