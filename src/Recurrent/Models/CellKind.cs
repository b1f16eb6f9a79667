namespace Recurrent.Models;

/// <summary>The recurrent cell a model's layers use.</summary>
public enum CellKind
{
    /// <summary>Elman RNN: <c>h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh)</c> (one gate block), as PyTorch's <c>nn.RNN</c>.</summary>
    Rnn = 0,

    /// <summary>LSTM with gates in PyTorch order i, f, g, o (four gate blocks), as <c>nn.LSTM</c>.</summary>
    Lstm = 1,

    /// <summary>GRU with gates in PyTorch order r, z, n (three gate blocks), as <c>nn.GRU</c>.</summary>
    Gru = 2,
}
