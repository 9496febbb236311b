namespace AceTrainer.AppHost.Configuration;

/// <summary>A port a resource listens on: the user's explicit choice (option or env) or a default that may be replaced when busy.</summary>
public sealed record PortRequest(string Resource, string OptionName, string EnvName, int DefaultPort, int? ExplicitPort);
