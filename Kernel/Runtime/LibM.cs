using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>The libm functions CoreLib calls (Math.Ceiling etc. are implemented with them). Written without
/// calling Math (which would call back here).</summary>
internal static class LibM
{
    [UnmanagedCallersOnly(EntryPoint = "ceil")]
    static double Ceil(double x)
    {
        // |x| >= 2^52 (already integral), NaN and infinities come back unchanged.
        if (!(Abs(x) < 4503599627370496.0)) return x;
        double truncated = (double)(long)x;
        double result = truncated < x ? truncated + 1.0 : truncated;
        return result == 0.0 && x < 0.0 ? -0.0 : result; // ceil(-0.5) = -0.0
    }

    [UnmanagedCallersOnly(EntryPoint = "floor")]
    static double Floor(double x)
    {
        if (!(Abs(x) < 4503599627370496.0)) return x;
        double truncated = (double)(long)x;
        double result = truncated > x ? truncated - 1.0 : truncated;
        return result == 0.0 && x < 0.0 ? -0.0 : result;
    }

    /// <summary>Splits x into integral and fractional parts, both with x's sign.</summary>
    [UnmanagedCallersOnly(EntryPoint = "modf")]
    static unsafe double Modf(double x, double* integral)
    {
        if (double.IsInfinity(x)) { *integral = x; return x < 0 ? -0.0 : 0.0; }
        if (!(Abs(x) < 4503599627370496.0)) { *integral = x; return double.IsNaN(x) ? x : (x < 0 ? -0.0 : 0.0); }
        double whole = (double)(long)x;
        if (whole == 0.0 && x < 0.0) whole = -0.0;
        *integral = whole;
        double fraction = x - whole;
        return fraction == 0.0 && x < 0.0 ? -0.0 : fraction;
    }

    static double Abs(double x) => x < 0 ? -x : x;

    [UnmanagedCallersOnly(EntryPoint = "sin")] static double Sin(double x) { Panic.NotImplemented("sin"); return 0; }
    [UnmanagedCallersOnly(EntryPoint = "cos")] static double Cos(double x) { Panic.NotImplemented("cos"); return 0; }
    [UnmanagedCallersOnly(EntryPoint = "pow")] static double Pow(double x, double y) { Panic.NotImplemented("pow"); return 0; }
}
