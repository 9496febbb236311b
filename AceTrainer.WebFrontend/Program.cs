using AceTrainer.ServiceDefaults;
using AceTrainer.WebFrontend.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddFrontendServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseStaticFiles();
app.MapRazorPages();
app.MapFrontendHubsAndApis();
app.Run();
