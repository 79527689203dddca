using System.IO.Compression;
using System.Runtime.InteropServices;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>
/// The compression algorithms of trace.dat v7: zstd through the system's libzstd (the library trace-cmd itself
/// uses), zlib through the BCL's ZLibStream. No hand-written codec.
/// </summary>
public abstract partial class TraceCompression
{
    public abstract string Name { get; }
    public abstract string Version { get; }

    /// <summary>Decompresses <paramref name="source"/> into exactly <paramref name="destination"/>.Length bytes.</summary>
    public abstract void Decompress(ReadOnlySpan<byte> source, Span<byte> destination);

    public abstract byte[] Compress(ReadOnlySpan<byte> source);

    /// <summary>The algorithm a file names ("zstd", "zlib"); "none" gives null.</summary>
    public static TraceCompression? For(string name, string? path = null) => name switch
    {
        "none" or "" => null,
        "zstd" => new Zstd(),
        "zlib" => new Zlib(),
        _ => throw new TraceDataException($"the file is compressed with '{name}', which LinuxTrace cannot decompress (it reads zstd and zlib)", path),
    };

    private sealed partial class Zstd : TraceCompression
    {
        private const string Lib = "libzstd.so.1";

        [LibraryImport(Lib, EntryPoint = "ZSTD_decompress")]
        private static unsafe partial nuint Decompress(byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

        [LibraryImport(Lib, EntryPoint = "ZSTD_compress")]
        private static unsafe partial nuint Compress(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);

        [LibraryImport(Lib, EntryPoint = "ZSTD_compressBound")]
        private static partial nuint CompressBound(nuint srcSize);

        [LibraryImport(Lib, EntryPoint = "ZSTD_isError")]
        private static partial uint IsError(nuint code);

        [LibraryImport(Lib, EntryPoint = "ZSTD_getErrorName")]
        private static partial nint ErrorName(nuint code);

        [LibraryImport(Lib, EntryPoint = "ZSTD_versionString")]
        private static partial nint VersionString();

        public override string Name => "zstd";

        public override string Version => Call(() => Marshal.PtrToStringUTF8(VersionString()) ?? "");

        private static T Call<T>(Func<T> f)
        {
            try
            {
                return f();
            }
            catch (DllNotFoundException e)
            {
                throw new TraceException(TraceErrorKind.NotSupported, "zstd needs the system library libzstd.so.1: apt-get install libzstd1", null, 0, e);
            }
        }

        public override unsafe void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            nuint r = 0;
            fixed (byte* s = source)
            fixed (byte* d = destination)
            {
                byte* sp = s, dp = d;
                int sl = source.Length, dl = destination.Length;
                r = Call(() => Decompress(dp, (nuint)dl, sp, (nuint)sl));
            }
            if (IsError(r) != 0) throw new InvalidDataException("zstd: " + Marshal.PtrToStringUTF8(ErrorName(r)));
            if ((int)r != destination.Length) throw new InvalidDataException($"zstd: {r} bytes decompressed, {destination.Length} expected");
        }

        public override unsafe byte[] Compress(ReadOnlySpan<byte> source)
        {
            int length = source.Length;
            int bound = (int)Call(() => CompressBound((nuint)length));
            var dst = new byte[bound];
            nuint r;
            fixed (byte* s = source)
            fixed (byte* d = dst)
            {
                r = Compress(d, (nuint)bound, s, (nuint)source.Length, 3);
            }
            if (IsError(r) != 0) throw new InvalidOperationException("zstd: " + Marshal.PtrToStringUTF8(ErrorName(r)));
            Array.Resize(ref dst, (int)r);
            return dst;
        }
    }

    private sealed class Zlib : TraceCompression
    {
        public override string Name => "zlib";
        public override string Version => "1.2.13";

        public override void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            using var ms = new MemoryStream(source.ToArray());
            using var z = new ZLibStream(ms, CompressionMode.Decompress);
            int total = 0;
            while (total < destination.Length)
            {
                int n = z.Read(destination[total..]);
                if (n == 0) break;
                total += n;
            }
            if (total != destination.Length) throw new InvalidDataException($"zlib: {total} bytes decompressed, {destination.Length} expected");
        }

        public override byte[] Compress(ReadOnlySpan<byte> source)
        {
            using var ms = new MemoryStream();
            using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(source);
            return ms.ToArray();
        }
    }
}
