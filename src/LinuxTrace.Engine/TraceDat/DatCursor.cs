using System.Buffers.Binary;
using System.Text;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>
/// Bounds-checked little-endian reads over a byte buffer that came from <paramref name="baseOffset"/> of a file:
/// every read checks the length first, and every error names the file and the file offset.
/// </summary>
internal sealed class DatCursor(byte[] data, string path, long baseOffset, string what)
{
    public int Position { get; set; }
    public int Length => data.Length;
    public bool AtEnd => Position >= data.Length;
    public long FileOffset => baseOffset + Position;

    private void Need(int n)
    {
        if (n < 0 || Position + n > data.Length)
            throw Error($"{what} ends early: needs {n} more bytes, has {data.Length - Position}");
    }

    public TraceDataException Error(string message) => new(message, path, FileOffset);

    public ushort U16() { Need(2); var v = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(Position)); Position += 2; return v; }
    public uint U32() { Need(4); var v = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(Position)); Position += 4; return v; }
    public ulong U64() { Need(8); var v = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(Position)); Position += 8; return v; }

    /// <summary>A count that must be plausible: at most <paramref name="max"/>.</summary>
    public int Count(string name, int max)
    {
        uint n = U32();
        if (n > max) throw Error($"{name} is {n}, more than the {max} this file can hold");
        return (int)n;
    }

    /// <summary>A size that must fit in what is left.</summary>
    public int Size(ulong n, string name)
    {
        if (n > (ulong)(data.Length - Position)) throw Error($"{name} of {n} bytes runs past the end of the {what} ({data.Length - Position} bytes left)");
        return (int)n;
    }

    public string CString(int max = 4096)
    {
        int end = Array.IndexOf(data, (byte)0, Position, Math.Min(max, data.Length - Position));
        if (end < 0) throw Error($"unterminated string in the {what}");
        string s = Encoding.UTF8.GetString(data, Position, end - Position);
        Position = end + 1;
        return s;
    }

    public string Text(int length)
    {
        Need(length);
        string s = Encoding.UTF8.GetString(data, Position, length).TrimEnd('\0');
        Position += length;
        return s;
    }

    public byte[] Bytes(int length)
    {
        Need(length);
        var b = data.AsSpan(Position, length).ToArray();
        Position += length;
        return b;
    }

    public void Skip(int n) { Need(n); Position += n; }
}
