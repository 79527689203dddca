using System.Globalization;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Formats;

/// <summary>Parses the kernel's own format files (events/&lt;sys&gt;/&lt;event&gt;/format, header_page, header_event).</summary>
public static class FormatParser
{
    /// <summary>Parses an event format file. <paramref name="longSize"/> is the kernel's sizeof(long), from header_page.</summary>
    public static EventFormat ParseEvent(string system, string text, int longSize = 8, string? source = null)
    {
        string? name = null;
        int id = -1;
        var fields = new List<FieldFormat>();
        string print = "";
        var lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].Trim();
            if (line.StartsWith("name:", StringComparison.Ordinal)) name = line[5..].Trim();
            else if (line.StartsWith("ID:", StringComparison.Ordinal))
            {
                if (!int.TryParse(line.AsSpan(3).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out id))
                    throw new TraceDataException($"bad ID line '{line}' in the format of {system}:{name}", source);
            }
            else if (line.StartsWith("field:", StringComparison.Ordinal)) fields.Add(ParseField(line, longSize, system, name, source));
            else if (line.StartsWith("print fmt:", StringComparison.Ordinal))
            {
                // the print fmt runs to the end of the file: a format string may hold a newline (ext4_fc_stats)
                print = string.Join('\n', lines[n..])[(lines[n].IndexOf("print fmt:", StringComparison.Ordinal) + 10)..].Trim();
                break;
            }
        }
        if (name is null) throw new TraceDataException($"format of an event in system '{system}' has no 'name:' line", source);
        if (id < 0) throw new TraceDataException($"format of {system}:{name} has no 'ID:' line", source);
        return new EventFormat { System = system, Name = name, Id = id, Fields = fields, PrintFormat = print, Text = text };
    }

    /// <summary>Parses one "field:TYPE NAME;	offset:N;	size:N;	signed:N;" line.</summary>
    internal static FieldFormat ParseField(string line, int longSize, string system = "", string? eventName = null, string? source = null)
    {
        int semi = line.IndexOf(';');
        if (semi < 0) throw new TraceDataException($"bad field line in {system}:{eventName}: '{line}'", source);
        string decl = line[6..semi].Trim();
        int offset = -1, size = -1, signedFlag = -1;
        foreach (var part in line[(semi + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.IndexOf(':');
            if (colon < 0) continue;
            string key = part[..colon].Trim();
            if (!int.TryParse(part.AsSpan(colon + 1).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) continue;
            switch (key)
            {
                case "offset": offset = v; break;
                case "size": size = v; break;
                case "signed": signedFlag = v; break;
            }
        }
        if (offset < 0 || size < 0) throw new TraceDataException($"field '{decl}' of {system}:{eventName} lacks offset or size", source);

        // Split the declaration into type and name: "char prev_comm[16]", "__data_loc char[] filename", "const char * name".
        int arrayLength = 0;
        bool hasBrackets = false;
        string work = decl;
        if (work.EndsWith(']'))
        {
            int open = work.LastIndexOf('[');
            if (open < 0) throw new TraceDataException($"unbalanced brackets in field '{decl}' of {system}:{eventName}", source);
            string inner = work[(open + 1)..^1].Trim();
            hasBrackets = true;
            arrayLength = int.TryParse(inner, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : -1;
            work = work[..open].TrimEnd();
        }
        int nameStart = work.Length;
        while (nameStart > 0 && (char.IsLetterOrDigit(work[nameStart - 1]) || work[nameStart - 1] == '_')) nameStart--;
        string name = work[nameStart..];
        string type = work[..nameStart].Trim();
        if (name.Length == 0) throw new TraceDataException($"field '{decl}' of {system}:{eventName} has no name", source);
        string cType = hasBrackets ? $"{type}[{(arrayLength >= 0 ? arrayLength.ToString(CultureInfo.InvariantCulture) : "")}]" : type;

        // The kernel's signed: is that of the element type for arrays (is_signed_type(type) in its field macros); a
        // guess from the type name only for formats too old to say.
        bool isSigned;
        FieldKind kind;
        int elementSize;
        if (type.StartsWith("__data_loc", StringComparison.Ordinal) || type.StartsWith("__rel_loc", StringComparison.Ordinal))
        {
            bool rel = type.StartsWith("__rel_loc", StringComparison.Ordinal);
            string elem = type[(rel ? 9 : 10)..].Trim();
            int br = elem.IndexOf('[');
            if (br >= 0) elem = elem[..br].Trim();
            bool isChar = elem is "char" or "const char";
            kind = isChar ? (rel ? FieldKind.RelLocString : FieldKind.DataLocString) : (rel ? FieldKind.RelLocArray : FieldKind.DataLocArray);
            elementSize = isChar ? 1 : CTypeSize(elem, longSize);
            cType = type;
            isSigned = signedFlag >= 0 ? signedFlag == 1 : GuessSigned(elem);
        }
        else if (hasBrackets)
        {
            bool isChar = type is "char" or "const char";
            int len = arrayLength > 0 ? arrayLength : 0;
            elementSize = isChar ? 1 : (len > 0 ? size / len : CTypeSize(type, longSize));
            if (elementSize <= 0) elementSize = 1;
            if (len <= 0) len = size / elementSize;
            arrayLength = len;
            kind = isChar ? FieldKind.FixedString : FieldKind.FixedArray;
            isSigned = signedFlag >= 0 ? signedFlag == 1 : GuessSigned(type);
        }
        else
        {
            isSigned = signedFlag >= 0 ? signedFlag == 1 : GuessSigned(type);
            kind = size is 1 or 2 or 4 or 8 ? FieldKind.Scalar : FieldKind.FixedArray;
            elementSize = kind == FieldKind.Scalar ? size : 1;
            if (kind == FieldKind.FixedArray) { arrayLength = size; isSigned = false; }
        }

        return new FieldFormat
        {
            Name = name, CType = cType, Offset = offset, Size = size, IsSigned = isSigned, Kind = kind,
            // char buf[] / type x[] with size 0: a trailing flexible array, whose data is the rest of the record
            IsFlexible = hasBrackets && size == 0 && kind is FieldKind.FixedArray or FieldKind.FixedString,
            ElementSize = elementSize, ArrayLength = kind == FieldKind.FixedArray ? arrayLength : 0,
            IsCommon = name.StartsWith("common_", StringComparison.Ordinal),
        };
    }

    private static bool GuessSigned(string type) =>
        !(type.Contains("unsigned") || type.StartsWith('u') || type.StartsWith("__u", StringComparison.Ordinal) || type.Contains('*')
          || type is "bool" or "_Bool" or "size_t" or "dma_addr_t" or "gfp_t");

    /// <summary>Size in bytes of a C type name as the kernel uses it; <paramref name="longSize"/> for long and pointers.</summary>
    internal static int CTypeSize(string type, int longSize)
    {
        type = type.Replace("const ", "").Replace("volatile ", "").Trim();
        if (type.Contains('*')) return longSize;
        return type switch
        {
            "char" or "unsigned char" or "signed char" or "u8" or "s8" or "__u8" or "__s8" or "bool" or "_Bool" => 1,
            "short" or "unsigned short" or "u16" or "s16" or "__u16" or "__s16" or "__le16" or "__be16" => 2,
            "int" or "unsigned int" or "unsigned" or "u32" or "s32" or "__u32" or "__s32" or "pid_t" or "__le32" or "__be32" or "gfp_t" => 4,
            "long long" or "unsigned long long" or "u64" or "s64" or "__u64" or "__s64" or "__le64" or "__be64" => 8,
            "long" or "unsigned long" or "size_t" or "ssize_t" => longSize,
            _ => longSize,
        };
    }
}
