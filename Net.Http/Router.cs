using System.Text;

namespace CosmosNet.Net.Http;

/// <summary>
/// A route: a method and a template such as <c>/items/{id}</c> or <c>/files/{*path}</c>. Literal segments match
/// case-insensitively, <c>{name}</c> one non-empty segment, <c>{*name}</c> the rest of the path.
/// </summary>
internal sealed class Route
{
    readonly byte[][] _literals;   // per segment: the literal, or null for a parameter
    readonly int[] _parameter;     // per segment: parameter index, or -1
    readonly bool _catchAll;

    public Route(string method, string template, Func<HttpContext, ValueTask> handler)
    {
        if (!template.StartsWith('/')) throw new ArgumentException($"route template '{template}' must start with '/'", nameof(template));
        Method = method;
        Template = template;
        Handler = handler;
        var segments = template.Length == 1 ? [] : template[1..].Split('/');
        _literals = new byte[segments.Length][];
        _parameter = new int[segments.Length];
        var names = new List<string>();
        for (int i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (s.Length > 2 && s[0] == '{' && s[^1] == '}')
            {
                var name = s[1..^1];
                if (name.StartsWith('*'))
                {
                    if (i != segments.Length - 1) throw new ArgumentException($"catch-all parameter must be last in '{template}'");
                    _catchAll = true;
                    name = name[1..];
                }
                if (names.Contains(name)) throw new ArgumentException($"parameter '{name}' appears twice in '{template}'");
                _parameter[i] = names.Count;
                names.Add(name);
            }
            else
            {
                if (s.Length == 0 && i != segments.Length - 1) throw new ArgumentException($"empty segment in '{template}'");
                if (s.Contains('{') || s.Contains('}')) throw new ArgumentException($"malformed segment '{s}' in '{template}'");
                _parameter[i] = -1;
                _literals[i] = Encoding.UTF8.GetBytes(s);
            }
        }
        if (names.Count > Router.MaxParameters) throw new ArgumentException($"more than {Router.MaxParameters} parameters in '{template}'");
        ParameterNames = names.ToArray();
    }

    public string Method { get; }
    public string Template { get; }
    public Func<HttpContext, ValueTask> Handler { get; }
    public string[] ParameterNames { get; }

    /// <summary>Matches <paramref name="path"/> (starting at <paramref name="offset"/> in the receive buffer); writes parameter ranges into <paramref name="ranges"/>.</summary>
    public bool Match(ReadOnlySpan<byte> path, int offset, Span<int> ranges)
    {
        int pos = 1;   // after the leading '/'
        for (int i = 0; i < _literals.Length; i++)
        {
            if (pos > path.Length) return false;
            int slash = path[pos..].IndexOf((byte)'/');
            int end = slash < 0 ? path.Length : pos + slash;
            if (_parameter[i] >= 0)
            {
                if (_catchAll && i == _literals.Length - 1) end = path.Length;
                if (end == pos) return false;
                ranges[2 * _parameter[i]] = offset + pos;
                ranges[2 * _parameter[i] + 1] = end - pos;
            }
            else if (!Ascii.EqualsIgnoreCase(path[pos..end], _literals[i])) return false;
            pos = end + 1;
        }
        return pos >= path.Length;   // every path segment consumed ("/" matches the empty template)
    }
}

/// <summary>The route table: first match by method and path wins; a path that matches only other methods gets 405 + Allow.</summary>
internal sealed class Router
{
    public const int MaxParameters = 16;
    readonly List<Route> _routes = new();

    public void Add(Route route) => _routes.Add(route);

    public Route? Find(HttpRequest request)
    {
        var path = request.RawPath;
        string method = request.IsHead ? HttpMethods.Get : request.Method;
        foreach (var route in _routes)
        {
            if (!ReferenceEquals(route.Method, method) && route.Method != method) continue;
            if (route.Match(path, request.PathOffset, request.RouteValueRanges)) return route;
        }
        return null;
    }

    /// <summary>The methods the path is served with ("GET, HEAD, OPTIONS" style), or null when no route has the path.</summary>
    public string? AllowedMethods(ReadOnlySpan<byte> path, bool staticFile)
    {
        Span<int> scratch = stackalloc int[2 * MaxParameters];
        var allowed = new List<string>();
        if (staticFile) allowed.Add(HttpMethods.Get);
        foreach (var route in _routes)
            if (!allowed.Contains(route.Method) && route.Match(path, 0, scratch)) allowed.Add(route.Method);
        if (allowed.Count == 0) return null;
        return Allow(allowed);
    }

    /// <summary>Every method any route is served with (for OPTIONS *).</summary>
    public string AllMethods(bool staticFiles)
    {
        var allowed = new List<string>();
        if (staticFiles) allowed.Add(HttpMethods.Get);
        foreach (var route in _routes) if (!allowed.Contains(route.Method)) allowed.Add(route.Method);
        return Allow(allowed);
    }

    static string Allow(List<string> methods)
    {
        if (methods.Contains(HttpMethods.Get) && !methods.Contains(HttpMethods.Head)) methods.Insert(methods.IndexOf(HttpMethods.Get) + 1, HttpMethods.Head);
        if (!methods.Contains(HttpMethods.Options)) methods.Add(HttpMethods.Options);
        return string.Join(", ", methods);
    }
}
