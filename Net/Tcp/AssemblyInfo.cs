using System.Runtime.CompilerServices;

// The TCP tests forge segments (RFC 5961 blind-injection cases) and so need a flow's sequence variables.
[assembly: InternalsVisibleTo("Net.Tests")]
