namespace AceTrainer.Engine;

/// <summary>Device kinds; values equal c10::DeviceType.</summary>
public enum DeviceType
{
    Cpu = 0,
    Cuda = 1,
}

/// <summary>A device; index -1 means the current device of that kind.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
