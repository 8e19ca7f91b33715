using CosmosNet.Corpus;

// Without arguments: every program. Otherwise:
//   --env NAME...   prints "ENV NAME=value" for each name (the kernel command line's NAME=VALUE words),
//                   then "ARGS a|b|..." (what stayed arguments)
//   --config        prints /config/appsettings.json (a Multiboot module: qemu -initrd "file appsettings.json")
//   --platform      prints what only the kernel answers this way (identity, read-only files, watchers, SHA-3,
//                   no ciphers/public keys/certificates, standard input at its end)
//   names...        only the named programs
return args.FirstOrDefault() switch
{
    "--env" => PrintEnvironment(args),
    "--config" => PrintConfig(),
    "--platform" => PrintPlatform(),
    null => CorpusRunner.Run(Console.Out, CorpusPrograms.All),
    _ => CorpusRunner.Run(Console.Out, CorpusPrograms.All.Where(p => args.Contains(p.Name))),
};

static int PrintEnvironment(string[] args)
{
    foreach (var name in args.Skip(1).Where(a => !a.Contains('=')))
        Console.WriteLine($"ENV {name}={Environment.GetEnvironmentVariable(name) ?? "<unset>"}");
    Console.WriteLine("ARGS " + string.Join("|", args));
    Console.WriteLine("ENVIRONMENT " + string.Join("|", Environment.GetEnvironmentVariables().Keys.Cast<string>().Order(StringComparer.Ordinal)));
    return 0;
}

static int PrintConfig()
{
    Console.WriteLine("CONFIG " + string.Join("|", Directory.GetFiles("/config")));
    using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText("/config/appsettings.json"));
    foreach (var p in doc.RootElement.EnumerateObject()) Console.WriteLine($"CONFIG {p.Name}={p.Value}");
    return 0;
}

static int PrintPlatform()
{
    Console.WriteLine($"MACHINE {Environment.MachineName}");
    Console.WriteLine($"USER {Environment.UserName}");
    Console.WriteLine($"OS {Environment.OSVersion}");
    Console.WriteLine($"PID {Environment.ProcessId}");
    Console.WriteLine($"CPUS {Environment.ProcessorCount}");
    Console.WriteLine($"VERSION {Environment.Version}");
    Console.WriteLine($"CWD {Directory.GetCurrentDirectory()}");
    Console.WriteLine($"TEMP {Path.GetTempPath()}");
    Console.WriteLine($"HOME {Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)}");
    try { File.WriteAllText("/app/greeting.txt", "x"); Console.WriteLine("READONLY wrote"); }
    catch (Exception e) { Console.WriteLine($"READONLY {e.GetType().Name}: {e.Message}"); }
    try { File.WriteAllText("/config/new.json", "x"); Console.WriteLine("READONLY wrote"); }
    catch (Exception e) { Console.WriteLine($"READONLY {e.GetType().Name}: {e.Message}"); }
    try { using var w = new FileSystemWatcher("/tmp") { EnableRaisingEvents = true }; Console.WriteLine("WATCHER started"); }
    catch (Exception e) { Console.WriteLine($"WATCHER {e.GetType().Name}"); }
    Console.WriteLine($"SHA3 {System.Security.Cryptography.SHA3_256.IsSupported}");
    try { System.Security.Cryptography.SHA3_256.HashData([1]); Console.WriteLine("SHA3 hashed"); }
    catch (Exception e) { Console.WriteLine($"SHA3 {e.GetType().Name}"); }
    // No ciphers, public keys or certificates: a managed exception that says so, never a panic.
    try { using var aes = System.Security.Cryptography.Aes.Create(); aes.Key = new byte[16]; aes.EncryptCbc(new byte[16], new byte[16]); Console.WriteLine("AES encrypted"); }
    catch (System.Security.Cryptography.CryptographicException e) { Console.WriteLine($"AES CryptographicException: {e.Message}"); }
    Console.WriteLine($"AESGCM {System.Security.Cryptography.AesGcm.IsSupported}");
    try { using var gcm = new System.Security.Cryptography.AesGcm(new byte[16], 16); Console.WriteLine("AESGCM created"); }
    catch (Exception e) { Console.WriteLine($"AESGCM {e.GetType().Name}"); }
    try { using var rsa = System.Security.Cryptography.RSA.Create(2048); Console.WriteLine("RSA created"); }
    catch (Exception e) { Console.WriteLine($"RSA {e.GetType().Name}"); }
    try { using var ecdsa = System.Security.Cryptography.ECDsa.Create(); Console.WriteLine("ECDSA created"); }
    catch (Exception e) { Console.WriteLine($"ECDSA {e.GetType().Name}"); }
    try { using var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate([0x30, 0x03, 0x02, 0x01, 0x01]); Console.WriteLine("X509 loaded"); }
    catch (System.Security.Cryptography.CryptographicException e) { Console.WriteLine($"X509 CryptographicException: {e.Message}"); }
    // The serial line has no input yet: standard input is at its end.
    Console.WriteLine($"STDIN {Console.In.ReadLine() ?? "<end>"} {Console.ReadLine() ?? "<end>"} {Console.OpenStandardInput().Read(new byte[4], 0, 4)}");
    return 0;
}
