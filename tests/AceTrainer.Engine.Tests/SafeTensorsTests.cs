using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Tests;

public class SafeTensorsTests
{
    [Fact]
    public void Files_round_trip_through_python_byte_for_byte()
    {
        var directory = Directory.CreateTempSubdirectory("engine-st-").FullName;
        using var scope = new DisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["blocks.0.attn.to_q.weight"] = Tensor.Randn([3, 4]),
            ["half"] = Tensor.Randn([5]).To(DType.Float16),
            ["brain"] = Tensor.Randn([2, 2]).To(DType.BFloat16),
            ["ids"] = Tensor.Arange(6).View(2, 3),
            ["mask"] = Tensor.Rand([7]).Lt(0.5),
            ["scalar"] = Tensor.Scalar(3.5),
            ["empty"] = Tensor.Zeros([0, 4]),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode + \"quotes\"" };
        var csharpPath = Path.Combine(directory, "cs.safetensors");
        var pythonPath = Path.Combine(directory, "py.safetensors");
        SafeTensorsWriter.Save(csharpPath, tensors, metadata);
        Assert.Equal("7", PythonRunner.Run("safetensors_cross.py", "read-then-write", csharpPath, pythonPath).Trim());

        Assert.Equal(File.ReadAllBytes(csharpPath), File.ReadAllBytes(pythonPath));
        using var file = SafeTensorsFile.Open(pythonPath);
        Assert.Equal(metadata, file.Metadata);
        foreach (var (name, expected) in tensors)
        {
            var loaded = file.Load(name);
            Assert.Equal(expected.DType, loaded.DType);
            Assert.Equal(expected.Shape, loaded.Shape);
            var a = new byte[expected.Numel * expected.DType.ElementSize()];
            var b = new byte[a.Length];
            expected.CopyBytesTo(a);
            loaded.CopyBytesTo(b);
            Assert.Equal(a, b);
        }
        var header = BitConverter.ToInt64(File.ReadAllBytes(csharpPath), 0);
        Assert.Equal(0, header % 8);
    }

    [Fact]
    public void Lazy_load_reads_only_requested_tensors_with_dtype_conversion()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("engine-st-").FullName, "m.safetensors");
        using var scope = new DisposeScope();
        var weight = Tensor.Randn([8, 8]);
        SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["w"] = weight, ["other"] = Tensor.Ones([1000]) });
        var before = Tensor.LiveNativeTensors;
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(before, Tensor.LiveNativeTensors);
        Assert.Equal(new long[] { 8, 8 }, file.Tensors["w"].Shape);
        var bf16 = file.Load("w", DType.BFloat16);
        Assert.Equal(DType.BFloat16, bf16.DType);
        TensorAssert.Close(weight, bf16, 1e-2, 1e-2, "bf16 load");
        Assert.Throws<KeyNotFoundException>(() => file.Load("missing"));
    }

    [Fact]
    public void Corrupt_header_is_rejected()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("engine-st-").FullName, "bad.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000L), .. "{}"u8]);
        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
    }
}
