namespace AceTrainer.Engine;

/// <summary>An error reported by libtorch (c10::Error text) or by the shim.</summary>
public sealed class TorchException(string message) : Exception(message);
