namespace Recurrent.Serialization;

/// <summary>
/// Relaxations of the strict checks of <see cref="ModelFile.Load(string, ModelFileLoadOptions?)"/>. The
/// default (every property false) is strict: any missing, unknown or non-finite tensor is an error.
/// </summary>
public sealed record ModelFileLoadOptions
{
    /// <summary>Gets the strict default.</summary>
    public static ModelFileLoadOptions Strict { get; } = new();

    /// <summary>
    /// Gets whether tensors the model expects may be absent from the file (partial loading); they keep the
    /// model's initial values and are listed in <see cref="ModelFile.MissingTensors"/>. The model is still
    /// allocated at the full size its options give.
    /// </summary>
    public bool AllowMissingTensors { get; init; }

    /// <summary>
    /// Gets whether tensors the model does not have are skipped instead of rejected; they are listed in
    /// <see cref="ModelFile.IgnoredTensors"/>.
    /// </summary>
    public bool IgnoreUnknownTensors { get; init; }

    /// <summary>Gets whether NaN or infinite weights are accepted instead of rejected.</summary>
    public bool AllowNonFiniteValues { get; init; }
}
