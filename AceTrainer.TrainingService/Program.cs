using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TrainingService.Cli;

if (args.Length > 0 && args[0] == "train") return await TrainCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRedis("redis");
builder.AddBlobs("blobs");

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
