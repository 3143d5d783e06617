return ShapedVit.Samples.Classify.ClassifyCommand.Run(args, Console.Out, Console.Error);
