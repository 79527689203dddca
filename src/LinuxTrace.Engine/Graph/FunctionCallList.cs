namespace LinuxTrace;

/// <summary>The calls a <see cref="FunctionCall"/> made, in order. A list for scripts and ConvertTo-Json; as text (an
/// Export-Csv cell) their names: "vfs_read(), fput()".</summary>
public sealed class FunctionCallList : System.Collections.ObjectModel.ReadOnlyCollection<FunctionCall>
{
    internal static readonly FunctionCallList NoCalls = new();

    internal FunctionCallList() : base(new List<FunctionCall>(2)) { }

    internal new IList<FunctionCall> Items => base.Items;

    public override string ToString() => string.Join(", ", this.Select(c => c.Function + "()"));
}
