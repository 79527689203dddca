using System.Buffers.Binary;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Builds ring-buffer pages byte by byte, the way the kernel lays them out (64-bit, little-endian).</summary>
internal sealed class PageBuilder
{
    private readonly byte[] _page;
    private int _pos = 16;

    public PageBuilder(ulong timestamp, int size = 4096)
    {
        _page = new byte[size];
        BinaryPrimitives.WriteUInt64LittleEndian(_page, timestamp);
    }

    private void Word(uint typeLen, uint delta) => BinaryPrimitives.WriteUInt32LittleEndian(_page.AsSpan(Pos(4)), typeLen | (delta << 5));

    private int Pos(int n)
    {
        int p = _pos;
        _pos += n;
        return p;
    }

    /// <summary>A data event: short form (type_len = words) when it fits in 112 bytes, else the long form.</summary>
    public PageBuilder Data(uint delta, byte[] payload, bool forceLong = false)
    {
        int padded = (payload.Length + 3) & ~3;
        if (!forceLong && padded <= 112 && padded > 0)
        {
            Word((uint)(padded / 4), delta);
        }
        else
        {
            Word(0, delta);
            BinaryPrimitives.WriteUInt32LittleEndian(_page.AsSpan(Pos(4)), (uint)(padded + 4));
        }
        payload.CopyTo(_page, Pos(padded));
        return this;
    }

    public PageBuilder TimeExtend(ulong delta)
    {
        Word(30, (uint)(delta & ((1 << 27) - 1)));
        BinaryPrimitives.WriteUInt32LittleEndian(_page.AsSpan(Pos(4)), (uint)(delta >> 27));
        return this;
    }

    public PageBuilder AbsoluteTime(ulong ts)
    {
        Word(31, (uint)(ts & ((1 << 27) - 1)));
        BinaryPrimitives.WriteUInt32LittleEndian(_page.AsSpan(Pos(4)), (uint)((ts >> 27) & 0xffffffff));
        return this;
    }

    /// <summary>A discarded event (padding with a non-zero delta) of <paramref name="bytes"/> bytes after its header.</summary>
    public PageBuilder Discarded(uint bytes)
    {
        Word(29, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(_page.AsSpan(_pos), bytes);
        _pos += (int)bytes;
        return this;
    }

    /// <summary>End-of-page padding (type 29, delta 0).</summary>
    public PageBuilder EndPadding()
    {
        Word(29, 0);
        return this;
    }

    public int Length => _pos - 16;

    public byte[] Build(bool missed = false, long storedCount = -1)
    {
        ulong commit = (ulong)(_pos - 16);
        if (missed) commit |= 1UL << 31;
        if (storedCount >= 0)
        {
            commit |= 1UL << 30;
            BinaryPrimitives.WriteInt64LittleEndian(_page.AsSpan(_pos), storedCount);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(_page.AsSpan(8), commit);
        return _page;
    }
}

internal static class Fixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string Format(string name) => File.ReadAllText(Path.Combine(Dir, "formats", name + ".format"));
    public static EventFormat Event(string system, string file) => FormatParser.ParseEvent(system, Format(file));
    public static HeaderPage Header => HeaderPage.Parse(File.ReadAllText(Path.Combine(Dir, "formats", "header_page")));

    /// <summary>A record payload for a format: common header plus the given field writes.</summary>
    public static byte[] Record(EventFormat f, int pid, Action<byte[]>? fill = null, int extra = 0)
    {
        var b = new byte[f.FixedSize + extra];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)f.Id);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), pid);
        fill?.Invoke(b);
        return b;
    }

    public static void Str(byte[] b, int offset, string s) => System.Text.Encoding.ASCII.GetBytes(s).CopyTo(b, offset);
}
