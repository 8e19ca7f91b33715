namespace CosmosNet.Net;

/// <summary>
/// The outcome of an operation whose failure is expected and ordinary (a refused connection, a reset flow):
/// a value or an error, never an exception. Errors print readably via their ToString.
/// </summary>
public readonly struct Result<T, TError>
{
    private readonly T? _value;
    private readonly TError? _error;

    private Result(T? value, TError? error, bool ok) { _value = value; _error = error; IsOk = ok; }

    public static Result<T, TError> Ok(T value) => new(value, default, true);
    public static Result<T, TError> Fail(TError error) => new(default, error, false);

    public static implicit operator Result<T, TError>(T value) => Ok(value);

    public bool IsOk { get; }

    public T Value => IsOk ? _value! : throw new InvalidOperationException($"Result is an error: {_error}");
    public TError Error => !IsOk ? _error! : throw new InvalidOperationException("Result is not an error");

    public bool TryGetValue(out T value) { value = _value!; return IsOk; }

    public override string ToString() => IsOk ? $"Ok({_value})" : $"Error({_error})";
}
