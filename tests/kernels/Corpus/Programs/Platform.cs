using System.Security.Cryptography;
using System.Text;

namespace CosmosNet.Corpus;

/// <summary>Hashing and HMAC through System.Security.Cryptography (FIPS 180-4 / RFC 4231 / RFC 2202 vectors).</summary>
static class Hashing
{
    public static void Run()
    {
        byte[] abc = "abc"u8.ToArray();
        Console.WriteLine(Convert.ToHexStringLower(MD5.HashData(abc)));
        Console.WriteLine(Convert.ToHexStringLower(SHA1.HashData(abc)));
        Console.WriteLine(Convert.ToHexStringLower(SHA256.HashData(abc)));
        Console.WriteLine(Convert.ToHexStringLower(SHA384.HashData(abc)));
        Console.WriteLine(Convert.ToHexStringLower(SHA512.HashData(abc)));
        byte[] twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8.ToArray();
        Console.WriteLine(Convert.ToHexStringLower(SHA256.HashData(twoBlocks)));
        Console.WriteLine(Convert.ToHexStringLower(SHA1.HashData(Array.Empty<byte>())));
        using var incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] million = new byte[1000]; Array.Fill(million, (byte)'a');
        for (int i = 0; i < 1000; i++) incremental.AppendData(million);
        Console.WriteLine(Convert.ToHexStringLower(incremental.GetHashAndReset()));
        using var sha512 = SHA512.Create();
        Console.WriteLine(Convert.ToHexStringLower(sha512.ComputeHash(new MemoryStream(twoBlocks))));
        byte[] key = Enumerable.Repeat((byte)0x0b, 20).ToArray(), data = "Hi There"u8.ToArray();
        Console.WriteLine(Convert.ToHexStringLower(HMACSHA256.HashData(key, data)));
        Console.WriteLine(Convert.ToHexStringLower(HMACSHA384.HashData(key, data)));
        Console.WriteLine(Convert.ToHexStringLower(HMACSHA512.HashData(key, data)));
        Console.WriteLine(Convert.ToHexStringLower(HMACSHA1.HashData(key, data)));
        Console.WriteLine(Convert.ToHexStringLower(HMACMD5.HashData(Enumerable.Repeat((byte)0x0b, 16).ToArray(), data)));
        using var hmac = new HMACSHA256("Jefe"u8.ToArray());
        Console.WriteLine(Convert.ToHexStringLower(hmac.ComputeHash("what do ya want for nothing?"u8.ToArray())));
        using var incHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, "Jefe"u8);
        incHmac.AppendData("what do ya want "u8); incHmac.AppendData("for nothing?"u8);
        Console.WriteLine(Convert.ToHexStringLower(incHmac.GetHashAndReset()));
        byte[] longKey = Enumerable.Repeat((byte)0xaa, 131).ToArray();
        Console.WriteLine(Convert.ToHexStringLower(HMACSHA256.HashData(longKey, "Test Using Larger Than Block-Size Key - Hash Key First"u8)));
        var random = RandomNumberGenerator.GetBytes(32);
        Console.WriteLine($"{random.Length} {random.Distinct().Count() > 8} {RandomNumberGenerator.GetInt32(10, 11)}");
    }
}

/// <summary>Errors from the file system carry the same types and messages as on Linux.</summary>
static class FileErrors
{
    public static void Run()
    {
        Console.WriteLine(File.Exists("/no/such/file.txt"));
        Console.WriteLine(Directory.Exists("/no/such/dir"));
        try { File.ReadAllText("/no/such/file.txt"); } catch (IOException e) { Console.WriteLine(e.GetType().Name); }
        try { File.ReadAllText("missing.txt"); } catch (FileNotFoundException e) { Console.WriteLine($"{e.GetType().Name} {Path.GetFileName(e.FileName)}"); }
        try { File.ReadAllText("/tmp"); } catch (UnauthorizedAccessException e) { Console.WriteLine(e.GetType().Name); }
        try { Directory.GetFiles("/no/such/dir"); } catch (IOException e) { Console.WriteLine(e.GetType().Name); }
        try { new FileStream("/no/such/dir/f", FileMode.Open); } catch (IOException e) { Console.WriteLine(e.GetType().Name); }
        Console.WriteLine(Path.IsPathRooted(Directory.GetCurrentDirectory()));
        Console.WriteLine(Path.Combine("/a", "b", "../c.txt") + " " + Path.GetFullPath("/a/b/../c.txt") + " " + Path.GetExtension("x.tar.gz") + " " + Path.GetFileNameWithoutExtension("/p/q.json"));
    }
}

/// <summary>A scratch file: write, append, read back, stream, enumerate, delete (under the temp directory).</summary>
static class ScratchFiles
{
    public static void Run()
    {
        string dir = Path.Combine(Path.GetTempPath(), "corpus-scratch");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "notes.txt");
        File.WriteAllText(path, "line one\n");
        File.AppendAllLines(path, ["line two", "line three"]);
        Console.WriteLine(File.ReadAllLines(path).Length + " " + new FileInfo(path).Length);
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            fs.Seek(5, SeekOrigin.Begin);
            fs.Write("ONE"u8);
            fs.Seek(0, SeekOrigin.Begin);
            using var reader = new StreamReader(fs);
            Console.WriteLine(reader.ReadLine());
        }
        File.WriteAllBytes(Path.Combine(dir, "data.bin"), [1, 2, 3]);
        Console.WriteLine(string.Join(",", Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)));
        File.Delete(path);
        Console.WriteLine(File.Exists(path));
        Directory.Delete(dir, recursive: true);
        Console.WriteLine(Directory.Exists(dir));
    }
}

/// <summary>The environment answers plausibly; printed as facts that hold on any machine.</summary>
static class EnvironmentFacts
{
    public static void Run()
    {
        Console.WriteLine(Environment.ProcessorCount >= 1);
        Console.WriteLine(Environment.MachineName.Length > 0);
        Console.WriteLine(Environment.OSVersion.Platform);
        Console.WriteLine(Environment.ProcessId > 0);
        Console.WriteLine(Environment.UserName.Length > 0);
        Console.WriteLine(Environment.TickCount64 > 0);
        Console.WriteLine(Environment.Is64BitProcess + " " + Environment.NewLine.Length + " " + OperatingSystem.IsLinux());
        Console.WriteLine(Environment.GetEnvironmentVariable("COSMOS_CORPUS_UNSET") is null);
        Environment.SetEnvironmentVariable("COSMOS_CORPUS_SET", "yes");
        Console.WriteLine(Environment.GetEnvironmentVariable("COSMOS_CORPUS_SET"));
        Console.WriteLine(Environment.CurrentManagedThreadId > 0);
        Console.WriteLine(Environment.StackTrace.Contains(nameof(EnvironmentFacts)));
        Console.WriteLine(Environment.Version.Major);
    }
}

/// <summary>Console and stream plumbing: writers, readers, memory streams.</summary>
static class StreamsAndWriters
{
    public static void Run()
    {
        using var ms = new MemoryStream();
        using (var writer = new StreamWriter(ms, new UTF8Encoding(false), leaveOpen: true)) { writer.WriteLine("alpha"); writer.Write(42); writer.Write('\n'); }
        ms.Position = 0;
        using (var reader = new StreamReader(ms, leaveOpen: true)) Console.WriteLine(reader.ReadToEnd().Replace("\n", "|"));
        var bw = new BinaryWriter(ms);
        ms.SetLength(0);
        bw.Write(1.5); bw.Write("str"); bw.Write(7L);
        ms.Position = 0;
        var br = new BinaryReader(ms);
        Console.WriteLine($"{br.ReadDouble()} {br.ReadString()} {br.ReadInt64()} {ms.Length}");
        var sw = new StringWriter();
        sw.Write("{0}-{1}", 1, 2);
        Console.WriteLine(sw.ToString());
    }
}

/// <summary>The app's files/ folder, read through the ordinary APIs (the current directory is that folder,
/// in the kernel and in the host reference alike).</summary>
static class AppFiles
{
    public static void Run()
    {
        Console.WriteLine(File.Exists("greeting.txt") + " " + File.Exists("missing.txt") + " " + Directory.Exists("data"));
        Console.WriteLine(File.ReadAllText("greeting.txt").TrimEnd());
        foreach (var line in File.ReadLines("data/scores.csv").Skip(1))
        {
            var cells = line.Split(',');
            Console.WriteLine($"{cells[1]} scored {int.Parse(cells[2])}");
        }
        Console.WriteLine(string.Join(",", Directory.EnumerateFiles("data").Select(Path.GetFileName).Order(StringComparer.Ordinal)));
        Console.WriteLine(string.Join(",", Directory.EnumerateFileSystemEntries("data", "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath("data", p)).Order(StringComparer.Ordinal)));
        using (var stream = new FileStream("data/settings.json", FileMode.Open, FileAccess.Read))
        {
            Console.WriteLine(stream.Length);
            var buffer = new byte[8];
            stream.Seek(2, SeekOrigin.Begin);
            Console.WriteLine(System.Text.Encoding.ASCII.GetString(buffer, 0, stream.Read(buffer)));
        }
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes("data/settings.json"));
        Console.WriteLine(doc.RootElement.GetProperty("port").GetInt32());
        var info = new FileInfo("data/nested/deep.txt");
        Console.WriteLine($"{info.Exists} {info.Length} {info.Directory!.Name} {info.Extension}");
    }
}

/// <summary>POSIX signal registration (what hosts do at start-up to stop on SIGTERM/SIGINT/SIGQUIT).</summary>
static class Signals
{
    public static void Run()
    {
        foreach (var signal in new[] { System.Runtime.InteropServices.PosixSignal.SIGTERM, System.Runtime.InteropServices.PosixSignal.SIGINT, System.Runtime.InteropServices.PosixSignal.SIGQUIT })
        {
            using var registration = System.Runtime.InteropServices.PosixSignalRegistration.Create(signal, context => context.Cancel = true);
            Console.WriteLine($"registered {signal}");
        }
    }
}

/// <summary>A Stream subclass of the app's own, used only through the base Stream type: virtual Read,
/// the span and async overloads Stream builds on it, CopyTo, and readers layered on top.</summary>
static class CustomStreams
{
    /// <summary>An endless-looking source of bytes 'a'..'z' repeated, limited to a length; each Read gives
    /// at most 5 bytes, so callers must loop like they do over a socket.</summary>
    sealed class AlphabetStream(int length) : Stream
    {
        int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 5), length - _position);
            for (int i = 0; i < n; i++) buffer[offset + i] = (byte)('a' + (_position + i) % 26);
            _position += n;
            return n;
        }
    }

    public static void Run()
    {
        Stream stream = new AlphabetStream(30);
        var buffer = new byte[8];
        int first = stream.Read(buffer, 0, buffer.Length);
        Console.WriteLine($"{first} {Encoding.ASCII.GetString(buffer, 0, first)}");
        int second = stream.Read(buffer.AsSpan());
        Console.WriteLine($"{second} {Encoding.ASCII.GetString(buffer, 0, second)}");
        Console.WriteLine((char)stream.ReadByte());
        var rest = new MemoryStream();
        stream.CopyTo(rest);
        Console.WriteLine($"{rest.Length} {Encoding.ASCII.GetString(rest.ToArray())} {stream.Read(buffer, 0, 8)}");

        Stream again = new AlphabetStream(12);
        int read = again.ReadAsync(buffer, 0, 8).GetAwaiter().GetResult();
        Console.WriteLine($"async {read}");
        again.ReadExactly(buffer, 0, 7);
        Console.WriteLine($"exactly {Encoding.ASCII.GetString(buffer, 0, 7)}");
        try { again.ReadExactly(buffer, 0, 1); }
        catch (EndOfStreamException e) { Console.WriteLine(e.GetType().Name); }

        using var reader = new StreamReader(new AlphabetStream(53));
        Console.WriteLine(reader.ReadToEnd());
    }
}
