using Recurrent.Models;

namespace Recurrent.Sampling;

/// <summary>Copies single lanes between <see cref="RecurrentState"/> objects (every layer, hidden and cell state).</summary>
internal static class StateLanes
{
    /// <summary>Copies lane <paramref name="sourceLane"/> of <paramref name="source"/> into lane <paramref name="destinationLane"/> of <paramref name="destination"/>.</summary>
    public static void CopyLane(RecurrentState source, int sourceLane, RecurrentState destination, int destinationLane)
    {
        int h = source.HiddenSize;
        if (destination.HiddenSize != h || destination.Layers != source.Layers || destination.HasCellState != source.HasCellState)
        {
            throw new ArgumentException("The states have different shapes.", nameof(destination));
        }

        for (int l = 0; l < source.Layers; l++)
        {
            source.Hidden(l).Slice(sourceLane * h, h).CopyTo(destination.Hidden(l).Slice(destinationLane * h, h));
            if (source.HasCellState)
            {
                source.Cell(l).Slice(sourceLane * h, h).CopyTo(destination.Cell(l).Slice(destinationLane * h, h));
            }
        }
    }
}
