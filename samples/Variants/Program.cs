return ShapedVit.Samples.Variants.VariantsApp.Run(args, Console.Out, Console.Error);
