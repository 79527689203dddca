using System.Globalization;
using System.Security;
using System.Text;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>
/// Stacks merged into a tree of frames, each with the weight of the samples that pass through it, written as the
/// folded text flamegraph.pl, inferno and speedscope read ("root;child;leaf 42"), or as a self-contained interactive
/// SVG: hover titles with counts and percentages, click to zoom, search; no script or style from the network.
/// </summary>
public sealed class FlameGraph
{
    private sealed class Node(string name)
    {
        public readonly string Name = name;
        public long Total;
        public long Self;
        public Dictionary<string, Node>? Children;

        public Node Child(string name)
        {
            Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!Children.TryGetValue(name, out var c)) Children[name] = c = new Node(name);
            return c;
        }
    }

    private readonly Node _root = new("all");

    /// <summary>The sum of every sample's weight.</summary>
    public long Total => _root.Total;

    /// <summary>How many stacks were added.</summary>
    public long Samples { get; private set; }

    /// <summary>Adds a stack, outermost frame first, with its weight (1 for a count, nanoseconds for a time).</summary>
    public void Add(IReadOnlyList<string> rootFirst, long weight)
    {
        if (weight <= 0) return;
        Samples++;
        var n = _root;
        n.Total += weight;
        foreach (var f in rootFirst)
        {
            n = n.Child(string.IsNullOrEmpty(f) ? "[unknown]" : f);
            n.Total += weight;
        }
        n.Self += weight;
    }

    /// <summary>One line per distinct stack: "a;b;c weight", sorted as flamegraph.pl sorts them.</summary>
    public string ToFolded()
    {
        var lines = new List<string>();
        var path = new List<string>();
        void Walk(Node n)
        {
            if (n != _root) path.Add(n.Name.Replace(';', ':'));
            if (n.Self > 0 && path.Count > 0) lines.Add(string.Join(";", path) + " " + n.Self.ToString(CultureInfo.InvariantCulture));
            if (n.Children is not null) foreach (var c in n.Children.Values) Walk(c);
            if (n != _root) path.RemoveAt(path.Count - 1);
        }
        Walk(_root);
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines) + (lines.Count > 0 ? "\n" : "");
    }

    /// <summary>The flame graph as an SVG document.</summary>
    /// <param name="title">The heading.</param>
    /// <param name="unit">What a weight counts: "samples", or "ns" for times (shown in µs/ms/s).</param>
    public string ToSvg(string title, string unit = "samples", int width = 1200)
    {
        const int frameHeight = 16, top = 40, bottom = 36, pad = 10;
        int depth = Depth(_root);
        int height = top + (depth + 1) * frameHeight + bottom;
        double scale = _root.Total == 0 ? 0 : (width - 2.0 * pad) / _root.Total;
        var sb = new StringBuilder(1 << 16);
        var ci = CultureInfo.InvariantCulture;
        sb.Append("<?xml version=\"1.0\" standalone=\"no\"?>\n");
        sb.Append(ci, $"<svg version=\"1.1\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\" data-total=\"{_root.Total}\" data-unit=\"{Esc(unit)}\" data-pad=\"{pad}\">\n");
        sb.Append("<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}.f:hover rect{stroke:#000;stroke-width:0.5}#title{font-size:17px;text-anchor:middle}#details,#matched,#reset,#search{font-size:12px}#reset,#search{cursor:pointer}.hidden{display:none}</style>\n");
        sb.Append(ci, $"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#f8f8f8\"/>\n");
        sb.Append(ci, $"<text id=\"title\" x=\"{width / 2}\" y=\"24\">{Esc(title)}</text>\n");
        sb.Append(ci, $"<text id=\"reset\" x=\"{pad}\" y=\"24\" class=\"hidden\">Reset zoom</text>\n");
        sb.Append(ci, $"<text id=\"search\" x=\"{width - pad - 60}\" y=\"24\">Search</text>\n");
        sb.Append(ci, $"<text id=\"details\" x=\"{pad}\" y=\"{height - 14}\"> </text>\n");
        sb.Append(ci, $"<text id=\"matched\" x=\"{width - pad - 160}\" y=\"{height - 14}\"> </text>\n");
        sb.Append("<g id=\"frames\">\n");
        void Frame(Node n, int d, long offset)
        {
            double x = pad + offset * scale, w = n.Total * scale, y = top + (depth - d) * frameHeight;
            string tip = $"{n.Name} ({Amount(n.Total, unit)}, {100.0 * n.Total / Math.Max(1, _root.Total):0.##}%)";
            sb.Append(ci, $"<g class=\"f\" data-o=\"{offset}\" data-v=\"{n.Total}\" data-d=\"{d}\" data-n=\"{Esc(n.Name)}\"><title>{Esc(tip)}</title>");
            sb.Append(ci, $"<rect x=\"{x:0.###}\" y=\"{y}\" width=\"{w:0.###}\" height=\"{frameHeight - 1}\" rx=\"2\" fill=\"{(d == 0 ? "rgb(200,200,200)" : Color(n.Name))}\"/>");
            sb.Append(ci, $"<text x=\"{x + 3:0.###}\" y=\"{y + frameHeight - 4}\">{Esc(Fit(n.Name, w))}</text></g>\n");
            if (n.Children is null) return;
            long o = offset;
            foreach (var c in n.Children.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                Frame(c, d + 1, o);
                o += c.Total;
            }
        }
        Frame(_root, 0, 0);
        sb.Append("</g>\n<script type=\"text/ecmascript\"><![CDATA[\n").Append(Script).Append("\n]]></script>\n</svg>\n");
        return sb.ToString();
    }

    private static int Depth(Node n) => n.Children is null ? 0 : 1 + n.Children.Values.Max(Depth);

    private static string Amount(long v, string unit) =>
        unit == "ns" ? TraceHistogram.FormatNanoseconds(v) : v.ToString("N0", CultureInfo.InvariantCulture) + " " + unit;

    /// <summary>The name as much as fits in <paramref name="w"/> pixels (about 7 per character), with ".." when cut.</summary>
    private static string Fit(string name, double w)
    {
        int chars = (int)((w - 6) / 7);
        if (chars < 3) return "";
        return name.Length <= chars ? name : name[..(chars - 2)] + "..";
    }

    /// <summary>flamegraph.pl's warm palette, the color fixed by the name so that a function keeps its color between graphs.</summary>
    private static string Color(string name)
    {
        uint h = 2166136261;
        foreach (char c in name) { h ^= c; h *= 16777619; }
        int r = 205 + (int)(h % 50), g = (int)((h >> 8) % 230), b = (int)((h >> 16) % 55);
        return $"rgb({r},{g},{b})";
    }

    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";

    // Click to zoom (the frame fills the width, its ancestors fade), Reset zoom, Search (a regular expression; matches
    // turn purple and their share is shown), and the hovered frame's details at the bottom.
    private const string Script = """
        var svg = document.documentElement, frames = Array.prototype.slice.call(document.querySelectorAll('g.f'));
        var total = +svg.getAttribute('data-total'), pad = +svg.getAttribute('data-pad'), width = +svg.getAttribute('width') - 2 * pad;
        var details = document.getElementById('details'), reset = document.getElementById('reset'), matched = document.getElementById('matched');
        function fit(g, w) { var t = g.querySelector('text'), n = g.getAttribute('data-n'), c = Math.floor((w - 6) / 7);
          t.textContent = c < 3 ? '' : (n.length <= c ? n : n.substring(0, c - 2) + '..'); }
        function place(g, x, w) { var r = g.querySelector('rect'); r.setAttribute('x', x); r.setAttribute('width', w);
          g.querySelector('text').setAttribute('x', x + 3); fit(g, w); }
        function zoom(target) {
          var o = +target.getAttribute('data-o'), v = +target.getAttribute('data-v'), d = +target.getAttribute('data-d');
          frames.forEach(function (g) {
            var go = +g.getAttribute('data-o'), gv = +g.getAttribute('data-v'), gd = +g.getAttribute('data-d');
            if (gd >= d && go >= o && go + gv <= o + v) { g.classList.remove('hidden'); g.style.opacity = 1; place(g, pad + (go - o) / v * width, gv / v * width); }
            else if (gd < d && go <= o && go + gv >= o + v) { g.classList.remove('hidden'); g.style.opacity = 0.5; place(g, pad, width); }
            else g.classList.add('hidden');
          });
          reset.classList.remove('hidden');
        }
        function unzoom() { frames.forEach(function (g) { g.classList.remove('hidden'); g.style.opacity = 1;
          place(g, pad + +g.getAttribute('data-o') / total * width, +g.getAttribute('data-v') / total * width); }); reset.classList.add('hidden'); }
        frames.forEach(function (g) {
          g.addEventListener('click', function () { zoom(g); });
          g.addEventListener('mouseover', function () { details.textContent = g.querySelector('title').textContent; });
          g.addEventListener('mouseout', function () { details.textContent = ' '; });
        });
        reset.addEventListener('click', unzoom);
        document.getElementById('search').addEventListener('click', function () {
          var term = prompt('Search for (a regular expression):', ''); if (term === null) return;
          var re = new RegExp(term), sum = 0, seen = [];
          frames.forEach(function (g) {
            var hit = term !== '' && re.test(g.getAttribute('data-n')), r = g.querySelector('rect');
            if (!r.hasAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));
            r.setAttribute('fill', hit ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));
            if (hit) { var o = +g.getAttribute('data-o'), v = +g.getAttribute('data-v');
              if (!seen.some(function (s) { return o >= s[0] && o + v <= s[1]; })) { seen.push([o, o + v]); sum += v; } }
          });
          matched.textContent = term === '' ? ' ' : 'Matched: ' + (100 * sum / total).toFixed(1) + '%';
        });
        """;
}
