namespace LinuxTrace.Engine.Tracefs;

/// <summary>The kernel's glob for filter files: '*', '?' and '[...]' (lib/glob.c semantics).</summary>
public static class Glob
{
    public static bool HasWildcards(string s) => s.AsSpan().IndexOfAny('*', '?', '[') >= 0;

    public static bool IsMatch(string pattern, string text) => Match(pattern.AsSpan(), text.AsSpan());

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> s)
    {
        int pi = 0, si = 0, star = -1, mark = 0;
        while (si < s.Length)
        {
            if (pi < p.Length && p[pi] == '*') { star = pi++; mark = si; continue; }
            if (pi < p.Length && MatchOne(p, ref pi, s[si], out int next)) { pi = next; si++; continue; }
            if (star >= 0) { pi = star + 1; si = ++mark; continue; }
            return false;
        }
        while (pi < p.Length && p[pi] == '*') pi++;
        return pi == p.Length;
    }

    private static bool MatchOne(ReadOnlySpan<char> p, ref int pi, char c, out int next)
    {
        next = pi + 1;
        if (p[pi] == '?') return true;
        if (p[pi] != '[') return p[pi] == c;
        int i = pi + 1;
        bool negate = i < p.Length && (p[i] == '!' || p[i] == '^');
        if (negate) i++;
        bool hit = false;
        int start = i;
        while (i < p.Length && (p[i] != ']' || i == start))
        {
            if (i + 2 < p.Length && p[i + 1] == '-' && p[i + 2] != ']') { hit |= c >= p[i] && c <= p[i + 2]; i += 3; }
            else { hit |= p[i] == c; i++; }
        }
        if (i >= p.Length) return p[pi] == c; // no closing bracket: a literal '['
        next = i + 1;
        return hit != negate;
    }
}
