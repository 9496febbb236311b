using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRedis("redis");
builder.AddBlobs("blobs");

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
