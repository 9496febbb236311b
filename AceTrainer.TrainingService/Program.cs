using AceTrainer.TrainingService.Cli;
using AceTrainer.TrainingService.Extensions;

if (args.Length > 0 && args[0] == "train") return await TrainCommand.RunAsync(args[1..]);

var app = WebApplication.CreateBuilder(args).BuildTrainingService();
app.Run();
return 0;

public partial class Program;
