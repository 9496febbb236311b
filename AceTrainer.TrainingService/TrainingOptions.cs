using System.ComponentModel.DataAnnotations;

namespace AceTrainer.TrainingService;

/// <summary>Settings of the Runs API and the worker (section "Training").</summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>Blob container of run records, checkpoints, metrics and the shared prepared-sample cache.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{2,62}$")]
    public string Container { get; set; } = "training";

    /// <summary>Local scratch folder of the worker (downloaded audio, the encoders' cache, each run's output folder).</summary>
    public string WorkDir { get; set; } = Path.Combine(Path.GetTempPath(), "acetrainer-worker");

    /// <summary>False runs this process as API only (no runs are taken).</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Identity of this worker in the queue; empty = machine name + process id.</summary>
    public string WorkerId { get; set; } = "";

    /// <summary>auto, cpu or cuda: where the worker trains (a run's own "device" field wins unless it is auto).</summary>
    [RegularExpression("^(auto|cpu|cuda)$")]
    public string Device { get; set; } = "auto";

    /// <summary>How often an idle worker asks the queue for a run.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a worker renews its lease while training, which is also how soon it sees a cancel or pause
    /// (at most a third of the lease duration is used, whichever is shorter).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a training run's metrics file, log and TensorBoard files are copied to blobs between checkpoints.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UploadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the GPU panel is refreshed (nvidia-smi) while a run is leased.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan GpuPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>nvidia-smi executable (tests point it at a script).</summary>
    public string NvidiaSmi { get; set; } = "nvidia-smi";

    /// <summary>
    /// ACE-Step's lyric vocabulary (acestep/models/lyrics_utils/vocab.json, part of ACE-Step's code, not of its weights),
    /// for runs that set no lyric_vocab and whose checkpoint folder has no vocab.json (the tiny model's never has).
    /// </summary>
    public string LyricVocab { get; set; } = "";

    public string ResolvedWorkerId => WorkerId.Length > 0 ? WorkerId : $"{Environment.MachineName}-{Environment.ProcessId}";
}
