namespace LinuxTrace.Engine.Symbols;

/// <summary>Close-match suggestions for names a user got wrong (do_sys_open became do_sys_openat2).</summary>
public static class CloseMatch
{
    /// <summary>Up to <paramref name="max"/> candidates that contain the name, start like it, or are a few edits away.</summary>
    public static IReadOnlyList<string> Suggest(string name, IEnumerable<string> candidates, int max = 5)
    {
        if (string.IsNullOrEmpty(name)) return Array.Empty<string>();
        var scored = new List<(int score, string c)>();
        int budget = Math.Max(2, name.Length / 3);
        foreach (var c in candidates)
        {
            if (c.Equals(name, StringComparison.Ordinal)) continue;
            int score;
            if (c.StartsWith(name, StringComparison.OrdinalIgnoreCase)) score = c.Length - name.Length;        // do_sys_open -> do_sys_openat2
            else if (c.Contains(name, StringComparison.OrdinalIgnoreCase)) score = 10 + c.Length - name.Length;
            else
            {
                if (Math.Abs(c.Length - name.Length) > budget) continue;
                int d = Distance(name, c, budget);
                if (d > budget) continue;
                score = 5 + d * 3;
            }
            scored.Add((score, c));
        }
        return scored.OrderBy(s => s.score).ThenBy(s => s.c, StringComparer.Ordinal).Take(max).Select(s => s.c).ToArray();
    }

    /// <summary>Levenshtein distance, case-insensitive, giving up above <paramref name="limit"/>.</summary>
    public static int Distance(string a, string b, int limit = int.MaxValue)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                rowMin = Math.Min(rowMin, cur[j]);
            }
            if (rowMin > limit) return rowMin;
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
