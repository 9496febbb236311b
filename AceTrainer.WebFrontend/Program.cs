using AceTrainer.WebFrontend.Extensions;

var app = WebApplication.CreateBuilder(args).BuildWebFrontend();
app.Run();
