Console.WriteLine("AceTrainer AppHost: not written yet.");
