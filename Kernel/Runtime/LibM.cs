using System.Runtime;
using System.Runtime.CompilerServices;
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

    // sin, cos, pow: x87 instructions (Kernel/Asm/libm.asm) in 80-bit precision, special cases here.
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_x87_sin")] static extern double X87Sin(double x);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_x87_cos")] static extern double X87Cos(double x);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_x87_exp2_ylog2x")] static extern double X87Exp2YLog2X(double x, double y);

    const double TwoTo63 = 9223372036854775808.0;

    [UnmanagedCallersOnly(EntryPoint = "sin")]
    static double Sin(double x) => Abs(x) < TwoTo63 ? X87Sin(x) : double.NaN;   // infinities and NaN: NaN

    [UnmanagedCallersOnly(EntryPoint = "cos")]
    static double Cos(double x) => Abs(x) < TwoTo63 ? X87Cos(x) : double.NaN;

    /// <summary>Cube root (Math.Cbrt; TCP CUBIC uses it): a bit-level first guess refined by Newton steps.</summary>
    [UnmanagedCallersOnly(EntryPoint = "cbrt")]
    static double Cbrt(double x)
    {
        if (x == 0.0 || double.IsNaN(x) || double.IsInfinity(x)) return x;
        double a = Abs(x), scale = 1.0;
        if (a < 1e-300) { a *= 18014398509481984.0; scale = 1.0 / 262144.0; }   // denormals: ×2^54, result ×2^-18
        double y = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) / 3 + 0x2A9F7893782DA1CEL);
        for (int i = 0; i < 6; i++) y -= (y * y * y - a) / (3.0 * y * y);
        y *= scale;
        return x < 0 ? -y : y;
    }

    /// <summary>C99 pow, special cases included (F.10.4.4).</summary>
    [UnmanagedCallersOnly(EntryPoint = "pow")]
    static double Pow(double x, double y)
    {
        if (y == 0.0 || x == 1.0) return 1.0;
        if (double.IsNaN(x) || double.IsNaN(y)) return double.NaN;
        bool yInteger = Abs(y) < 4503599627370496.0 ? (double)(long)y == y : !double.IsInfinity(y);
        bool yOdd = yInteger && Abs(y) < 4503599627370496.0 && ((long)y & 1) != 0;
        if (double.IsInfinity(y))
        {
            double ax = Abs(x);
            if (ax == 1.0) return 1.0;
            return (ax > 1.0) == (y > 0) ? double.PositiveInfinity : 0.0;
        }
        if (x == 0.0)
        {
            bool negativeZero = 1.0 / x < 0;
            if (y < 0) return yOdd && negativeZero ? double.NegativeInfinity : double.PositiveInfinity;
            return yOdd && negativeZero ? -0.0 : 0.0;
        }
        if (double.IsInfinity(x))
        {
            if (x > 0) return y > 0 ? double.PositiveInfinity : 0.0;
            if (y > 0) return yOdd ? double.NegativeInfinity : double.PositiveInfinity;
            return yOdd ? -0.0 : 0.0;
        }
        if (x < 0)
        {
            if (!yInteger) return double.NaN;
            double magnitude = X87Exp2YLog2X(-x, y);
            return yOdd ? -magnitude : magnitude;
        }
        return X87Exp2YLog2X(x, y);
    }

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_x87_exp")] static extern double X87Exp(double x);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_x87_log")] static extern double X87Log(double x, int logBase);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_x87_atan2")] static extern double X87Atan2(double y, double x);

    [UnmanagedCallersOnly(EntryPoint = "exp")]
    static double Exp(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > 709.8) return double.PositiveInfinity;
        if (x < -745.2) return 0.0;
        return X87Exp(x);
    }

    static double Log(double x, int logBase)
    {
        if (double.IsNaN(x) || x < 0) return double.NaN;
        if (x == 0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        return X87Log(x, logBase);
    }

    [UnmanagedCallersOnly(EntryPoint = "log")] static double Ln(double x) => Log(x, 0);
    [UnmanagedCallersOnly(EntryPoint = "log2")] static double Log2(double x) => Log(x, 1);
    [UnmanagedCallersOnly(EntryPoint = "log10")] static double Log10(double x) => Log(x, 2);

    /// <summary>atan2 (C99 F.10.1.4): the x87's fpatan handles signs, zeros and infinities alike.</summary>
    [UnmanagedCallersOnly(EntryPoint = "atan2")]
    static double Atan2(double y, double x) => double.IsNaN(x) || double.IsNaN(y) ? double.NaN : X87Atan2(y, x);

    // float versions (MathF): the double function, rounded once to float.
    [UnmanagedCallersOnly(EntryPoint = "sinf")] static float SinF(float x) => Abs(x) < TwoTo63 ? (float)X87Sin(x) : float.NaN;
    [UnmanagedCallersOnly(EntryPoint = "cosf")] static float CosF(float x) => Abs(x) < TwoTo63 ? (float)X87Cos(x) : float.NaN;
}
