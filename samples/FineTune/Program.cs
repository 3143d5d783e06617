return ShapedVit.Samples.FineTune.FineTuneCommand.Run(args, Console.Out, Console.Error);
