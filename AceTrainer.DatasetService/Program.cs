using AceTrainer.DatasetService.Extensions;

var app = WebApplication.CreateBuilder(args).BuildDatasetService();
app.Run();

public partial class Program;
