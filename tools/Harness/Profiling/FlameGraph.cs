using System.Globalization;
using System.Security;
using System.Text;

namespace CosmosNet.Harness.Profiling;

/// <summary>Folded stacks ("root;caller;leaf count", one line per distinct stack, the format flame graph tools
/// read) and a self-contained SVG flame graph of them: each frame a box as wide as its share of the samples,
/// callers below callees, the name in the box when it fits and in its tooltip always.</summary>
public static class FlameGraph
{
    public static string Folded(IReadOnlyDictionary<string, long> stacks) =>
        string.Concat(stacks.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}\n"));

    sealed class Node(string name)
    {
        public string Name { get; } = name;
        public long Count;
        public readonly Dictionary<string, Node> Children = [];
    }

    const int Width = 1200, FrameHeight = 17, Margin = 10, TitleHeight = 30;
    const double CharWidth = 6.6;

    public static string Svg(IReadOnlyDictionary<string, long> stacks, string title)
    {
        var root = new Node("all");
        foreach (var (stack, count) in stacks)
        {
            root.Count += count;
            var node = root;
            foreach (var frame in stack.Split(';'))
            {
                if (!node.Children.TryGetValue(frame, out var child)) node.Children[frame] = child = new Node(frame);
                child.Count += count;
                node = child;
            }
        }
        int depth = Depth(root);
        int height = TitleHeight + (depth + 1) * FrameHeight + 2 * Margin;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0" standalone="no"?>
            <svg version="1.1" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" xmlns="http://www.w3.org/2000/svg">
            <rect x="0" y="0" width="{Width}" height="{height}" fill="#f8f8f0"/>
            <text x="{Width / 2}" y="20" font-family="monospace" font-size="15" text-anchor="middle">{Escape(title)}</text>
            <g font-family="monospace" font-size="11">

            """);
        double scale = (Width - 2.0 * Margin) / Math.Max(1, root.Count);
        Draw(svg, root, Margin, 0, scale, root.Count, height - Margin);
        svg.Append("</g>\n</svg>\n");
        return svg.ToString();
    }

    static int Depth(Node n) => n.Children.Count == 0 ? 0 : 1 + n.Children.Values.Max(Depth);

    static void Draw(StringBuilder svg, Node node, double x, int level, double scale, long total, int bottom)
    {
        double width = node.Count * scale;
        if (width < 0.3) return;
        double y = bottom - (level + 1) * FrameHeight;
        string tip = $"{node.Name} ({node.Count} samples, {100.0 * node.Count / total:F2}%)";
        svg.Append(CultureInfo.InvariantCulture,
            $"<g><title>{Escape(tip)}</title><rect x=\"{x:F1}\" y=\"{y:F1}\" width=\"{width:F1}\" height=\"{FrameHeight - 1}\" fill=\"{Colour(node.Name)}\" rx=\"2\"/>");
        int fits = (int)((width - 4) / CharWidth);
        if (fits >= 3)
        {
            string text = node.Name.Length <= fits ? node.Name : node.Name[..(fits - 2)] + "..";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 3:F1}\" y=\"{y + FrameHeight - 5:F1}\">{Escape(text)}</text>");
        }
        svg.Append("</g>\n");
        double childX = x;
        foreach (var child in node.Children.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            Draw(svg, child, childX, level + 1, scale, total, bottom);
            childX += child.Count * scale;
        }
    }

    /// <summary>Warm colours, stable per name; the kernel's, the stack's and the app's code in different hues.</summary>
    static string Colour(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name) hash = (hash ^ c) * 16777619;
        int hue = name.StartsWith("CosmosNet.Kernel", StringComparison.Ordinal) ? 30
            : name.StartsWith("CosmosNet.Net", StringComparison.Ordinal) ? 45
            : name.StartsWith("CosmosNet.Drivers", StringComparison.Ordinal) ? 0
            : name.StartsWith('[') ? 200 : 15;
        return $"hsl({hue + hash % 12},{55 + hash / 12 % 30}%,{58 + hash / 360 % 14}%)";
    }

    static string Escape(string s) => SecurityElement.Escape(s) ?? "";
}
