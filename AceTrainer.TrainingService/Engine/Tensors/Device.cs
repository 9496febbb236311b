namespace AceTrainer.Engine;

/// <summary>Device kinds; values equal c10::DeviceType.</summary>
public enum DeviceType
{
    Cpu = 0,
    Cuda = 1,

    /// <summary>Tensors with shape and dtype but no storage (c10::DeviceType::Meta); for building modules without memory.</summary>
    Meta = 14,
}

/// <summary>A device; index -1 means the current device of that kind.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    public static Device Meta { get; } = new(DeviceType.Meta);

    public override string ToString() => Type switch
    {
        DeviceType.Cpu => "cpu",
        DeviceType.Meta => "meta",
        _ => Index < 0 ? "cuda" : $"cuda:{Index}",
    };
}
