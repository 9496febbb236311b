using AceTrainer.DatasetService.Apis;
using AceTrainer.DatasetService.Extensions;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRedis("redis");
builder.AddBlobs("blobs");
builder.AddDatasetServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapDatasetsApi();
app.Run();

public partial class Program;
