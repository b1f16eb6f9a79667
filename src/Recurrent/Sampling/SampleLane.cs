using System.Runtime.InteropServices;

namespace Recurrent.Sampling;

/// <summary>The per-sample bookkeeping of one lane: its random stream, the tokens generated so far, the ids seen.</summary>
internal sealed class SampleLane
{
    private readonly bool[]? _seen;         // [V] when the repetition penalty is on
    private readonly List<int> _seenIds = []; // distinct ids in prompt + generated tokens

    public SampleLane(int vocabularySize, bool trackSeen)
    {
        _seen = trackSeen ? new bool[vocabularySize] : null;
    }

    public Random Random { get; private set; } = null!;

    public int SampleIndex { get; private set; } = -1;

    public int Attempts { get; private set; }

    public List<int> Tokens { get; } = [];

    public bool Active { get; set; }

    public ReadOnlySpan<int> SeenIds => CollectionsMarshal.AsSpan(_seenIds);

    /// <summary>Starts a new sample in this lane.</summary>
    public void Begin(int sampleIndex, Random random, ReadOnlySpan<int> prompt)
    {
        SampleIndex = sampleIndex;
        Random = random;
        Attempts = 0;
        Active = true;
        Restart(prompt);
    }

    /// <summary>Starts a new attempt of the same sample (the random stream continues).</summary>
    public void Restart(ReadOnlySpan<int> prompt)
    {
        Attempts++;
        Tokens.Clear();
        if (_seen is not null)
        {
            foreach (int id in _seenIds)
            {
                _seen[id] = false;
            }

            _seenIds.Clear();
            foreach (int id in prompt)
            {
                See(id);
            }
        }
    }

    /// <summary>Appends a generated token.</summary>
    public void Append(int id)
    {
        Tokens.Add(id);
        See(id);
    }

    private void See(int id)
    {
        if (_seen is not null && !_seen[id])
        {
            _seen[id] = true;
            _seenIds.Add(id);
        }
    }
}
