using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Probes;

/// <summary>
/// The kernel's one-line probe syntax (Documentation/trace/kprobetrace.rst, uprobetracer.rst), both ways:
/// <c>p[:[GRP/][EVENT]] TARGET [NAME=FETCHARG[:TYPE] ...]</c>, <c>r[MAXACTIVE]:…</c> for return probes. A target with
/// a '/' is a file (uprobe), as the kernel decides.
/// </summary>
public static partial class ProbeDefinition
{
    /// <summary>The parts of a definition, before the kernel named it.</summary>
    public sealed record Parts(char Kind, int MaxActive, string? Group, string? Name, string Target, IReadOnlyList<ProbeArgument> Arguments)
    {
        public bool IsUser => Kind is 'p' or 'r' && Target.Contains('/');
        public bool IsReturn => Kind == 'r' || Target.EndsWith("%return", StringComparison.Ordinal);
        public ProbeType Type => Kind switch
        {
            'p' or 'r' => IsUser ? (IsReturn ? ProbeType.URetProbe : ProbeType.UProbe) : (IsReturn ? ProbeType.KRetProbe : ProbeType.KProbe),
            'f' => IsReturn ? ProbeType.FRetProbe : ProbeType.FProbe,
            't' => ProbeType.TracepointProbe,
            'e' => ProbeType.EventProbe,
            's' => ProbeType.Synthetic,
            _ => ProbeType.KProbe,
        };
        /// <summary>The group the kernel puts the event in when none is given.</summary>
        public string DefaultGroup => Type switch
        {
            ProbeType.UProbe or ProbeType.URetProbe => "uprobes",
            ProbeType.FProbe or ProbeType.FRetProbe => "fprobes",
            ProbeType.TracepointProbe => "tracepoints",
            ProbeType.EventProbe => "eprobes",
            ProbeType.Synthetic => "synthetic",
            _ => "kprobes",
        };
        public string EffectiveGroup => Group ?? DefaultGroup;

        /// <summary>The definition as written to dynamic_events.</summary>
        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append(Kind);
            if (MaxActive > 0) sb.Append(MaxActive.ToString(CultureInfo.InvariantCulture));
            if (Group is not null || Name is not null)
            {
                sb.Append(':');
                if (Group is not null) sb.Append(Group).Append('/');
                sb.Append(Name);
            }
            sb.Append(' ').Append(Target);
            foreach (var a in Arguments) sb.Append(' ').Append(a);
            return sb.ToString();
        }
    }

    [GeneratedRegex(@"^(?<kind>[prftes])(?<max>\d+)?(?::(?:(?<grp>[^/\s]+)/)?(?<ev>[^/\s]*))?$")]
    private static partial Regex Head();

    [GeneratedRegex(@"^(?:[usx](?:8|16|32|64)|char|string|ustring|symbol|symstr|%p[dD]|b\d+@\d+/\d+)(?:\[\d+\])?$")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    /// <summary>True when <paramref name="name"/> follows the kernel's rule for event, group and argument names (a C identifier).</summary>
    public static bool IsIdentifier(string name) => Identifier().IsMatch(name);

    /// <summary>Splits a definition. A malformed head is an InvalidArgument error that says what the kernel expects.</summary>
    public static Parts Split(string definition)
    {
        var tokens = Tokenize(definition.Trim());
        if (tokens.Count < 2)
            throw Invalid($"'{definition}' is not a probe definition: it needs a type and a place, as in 'p:myprobe do_sys_openat2' or 'r:myret /bin/bash:0x4f0'.");
        var m = Head().Match(tokens[0]);
        if (!m.Success)
            throw Invalid($"'{tokens[0]}' does not start a probe definition: use p[:[GROUP/]EVENT] for a probe, r[MAXACTIVE][:[GROUP/]EVENT] for a return probe.");
        string? group = m.Groups["grp"].Success ? m.Groups["grp"].Value : null;
        string? name = m.Groups["ev"].Success && m.Groups["ev"].Value.Length > 0 ? m.Groups["ev"].Value : null;
        int max = m.Groups["max"].Success ? int.Parse(m.Groups["max"].Value, CultureInfo.InvariantCulture) : 0;
        var args = new List<ProbeArgument>();
        for (int i = 2; i < tokens.Count; i++) args.Add(ParseArgument(tokens[i], args.Count + 1));
        return new Parts(m.Groups["kind"].Value[0], max, group, name, tokens[1], args);
    }

    /// <summary>A definition that starts with its place ('do_sys_openat2 fn=+0(%si):string') gets the entry-probe kind 'p '.</summary>
    public static string WithKind(string definition)
    {
        string d = definition.Trim();
        int sp = d.IndexOfAny([' ', '\t']);
        return Head().IsMatch(sp < 0 ? d : d[..sp]) ? d : "p " + d;
    }

    /// <summary>One fetch argument: NAME=FETCHARG[:TYPE], or FETCHARG alone (named argN, as the kernel names it).</summary>
    public static ProbeArgument ParseArgument(string token, int position)
    {
        string name = $"arg{position}", fetch = token;
        int eq = token.IndexOf('=');
        if (eq > 0 && IsIdentifier(token[..eq])) { name = token[..eq]; fetch = token[(eq + 1)..]; }
        string? type = null;
        int colon = fetch.LastIndexOf(':');
        if (colon > 0 && TypeName().IsMatch(fetch[(colon + 1)..])) { type = fetch[(colon + 1)..]; fetch = fetch[..colon]; }
        return new ProbeArgument(name, fetch, type);
    }

    /// <summary>A probe from its line in dynamic_events (or kprobe_events / uprobe_events).</summary>
    public static DynamicProbe FromListing(string line, long hits = 0, long misses = 0, IReadOnlyList<string>? enabledIn = null)
    {
        var p = Split(line);
        string target = p.Target;
        string? function = null, module = null, path = null;
        long offset = 0;
        long? refCtr = null;
        if (p.IsUser)
        {
            // PATH:0xOFFSET[(0xREFCTR)][%return]
            string t = target.EndsWith("%return", StringComparison.Ordinal) ? target[..^7] : target;
            int paren = t.IndexOf('(', t.LastIndexOf('/') + 1);
            if (paren > 0 && t.EndsWith(')'))
            {
                refCtr = ParseNumber(t[(paren + 1)..^1]);
                t = t[..paren];
            }
            int colon = t.LastIndexOf(':');
            if (colon > 0) { path = t[..colon]; offset = ParseNumber(t[(colon + 1)..]) ?? 0; }
            else path = t;
        }
        else if (p.Type is ProbeType.KProbe or ProbeType.KRetProbe or ProbeType.FProbe or ProbeType.FRetProbe)
        {
            string t = target.EndsWith("%return", StringComparison.Ordinal) ? target[..^7] : target;
            int colon = t.IndexOf(':');
            if (colon > 0) { module = t[..colon]; t = t[(colon + 1)..]; }
            int plus = t.IndexOf('+');
            if (plus > 0) { offset = ParseNumber(t[(plus + 1)..]) ?? 0; t = t[..plus]; }
            if (!t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) function = t;
        }
        return new DynamicProbe
        {
            Type = p.Type,
            Group = p.EffectiveGroup,
            Name = p.Name ?? "",
            Target = target,
            Function = function,
            Module = module,
            Path = path,
            Offset = offset,
            ReferenceCounterOffset = refCtr,
            MaxActive = p.MaxActive,
            Arguments = p.Arguments,
            Definition = line.Trim(),
            Hits = hits,
            Misses = misses,
            EnabledIn = enabledIn ?? Array.Empty<string>(),
        };
    }

    /// <summary>A number as the kernel prints and takes it (0x hex or decimal); null when it is not one.</summary>
    public static long? ParseNumber(string s)
    {
        s = s.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return long.TryParse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long h) ? h : null;
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long d) ? d : null;
    }

    /// <summary>Splits on blanks, keeping a quoted immediate string (\"a b") in one piece.</summary>
    private static List<string> Tokenize(string s)
    {
        var tokens = new List<string>();
        var cur = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"' && i > 0 && s[i - 1] == '\\') quoted = true;
            else if (c == '"' && quoted) quoted = false;
            if (!quoted && char.IsWhiteSpace(c))
            {
                if (cur.Length > 0) { tokens.Add(cur.ToString()); cur.Clear(); }
                continue;
            }
            cur.Append(c);
        }
        if (cur.Length > 0) tokens.Add(cur.ToString());
        return tokens;
    }

    internal static TraceException Invalid(string message) => new(TraceErrorKind.InvalidArgument, message) { ErrorId = "InvalidProbeDefinition" };
}
