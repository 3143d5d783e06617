return ShapedVit.Samples.FashionMnist.FashionMnistCommand.Run(args, Console.Out, Console.Error);
