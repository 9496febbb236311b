using System.Globalization;
using AceTrainer.Engine;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Preparation;

/// <summary>
/// One sample as the transformer consumes it, computed once by <see cref="SamplePreparer"/>: DCAE latents
/// [8,16,T], UMT5 hidden states of K shuffled prompt variants [K,S,D] with masks [K,S], and lyric token ids with
/// their mask [L]. Saved as one safetensors file whose metadata names the sample and its content hash.
/// </summary>
public sealed class PreparedSample : IDisposable
{
    public const string FormatVersion = "1";

    public required string Key { get; init; }

    /// <summary>Hash of everything the tensors were computed from (audio bytes, texts, encoders, settings).</summary>
    public required string ContentHash { get; init; }

    public required Tensor Latents { get; init; }
    public required Tensor TextStates { get; init; }
    public required Tensor TextMask { get; init; }
    public required Tensor LyricTokens { get; init; }
    public required Tensor LyricMask { get; init; }

    public int PromptVariants => (int)TextStates.Size(0);

    public long LatentFrames => Latents.Size(-1);

    public void Save(string path)
    {
        var temporary = path + ".partial";
        SafeTensorsWriter.Save(temporary, new Dictionary<string, Tensor>
        {
            ["latents"] = Latents,
            ["text_states"] = TextStates,
            ["text_mask"] = TextMask,
            ["lyric_tokens"] = LyricTokens,
            ["lyric_mask"] = LyricMask,
        }, new Dictionary<string, string>
        {
            ["key"] = Key,
            ["content_hash"] = ContentHash,
            ["format_version"] = FormatVersion,
            ["latent_frames"] = LatentFrames.ToString(CultureInfo.InvariantCulture),
        });
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a prepared sample (tensors owned by the caller, not by any dispose scope).</summary>
    public static PreparedSample Load(string path, Device? device = null)
    {
        using var file = SafeTensorsFile.Open(path);
        if (file.Metadata.GetValueOrDefault("format_version") != FormatVersion)
            throw new InvalidDataException($"{path} is not a prepared sample of format {FormatVersion}");
        Tensor Read(string name) => file.Load(name, device: device).DetachFromDisposeScope();
        return new PreparedSample
        {
            Key = file.Metadata["key"],
            ContentHash = file.Metadata["content_hash"],
            Latents = Read("latents"),
            TextStates = Read("text_states"),
            TextMask = Read("text_mask"),
            LyricTokens = Read("lyric_tokens"),
            LyricMask = Read("lyric_mask"),
        };
    }

    public void Dispose()
    {
        Latents.Dispose();
        TextStates.Dispose();
        TextMask.Dispose();
        LyricTokens.Dispose();
        LyricMask.Dispose();
    }
}
