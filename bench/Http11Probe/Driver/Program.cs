// Runs every Http11Probe suite (the same list as its own CLI) against host:port and writes a Markdown table:
// the score the project publishes ((pass + warn) / scored), the MUST-level failures, and one row per test.
using System.CommandLine;
using System.Text;
using Http11Probe.Runner;
using Http11Probe.TestCases;
using Http11Probe.TestCases.Suites;

var host = new Option<string>("--host") { Description = "server address", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "server port", Required = true };
var label = new Option<string>("--label") { Description = "name of the server in the report", DefaultValueFactory = _ => "server" };
var timeout = new Option<int>("--timeout") { Description = "connect/read timeout per test, seconds", DefaultValueFactory = _ => 5 };
var output = new Option<FileInfo?>("--output") { Description = "Markdown file to write" };
var root = new RootCommand("Http11Probe driver: runs the compliance, smuggling, malformed-input, normalization, capability and cookie suites")
    { host, port, label, timeout, output };

root.SetAction(async (parse, cancel) =>
{
    var options = new TestRunOptions
    {
        Host = parse.GetValue(host)!, Port = parse.GetValue(port),
        ConnectTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)), ReadTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
    };
    var cases = new List<ITestCase>();
    cases.AddRange(ComplianceSuite.GetTestCases());
    cases.AddRange(SmugglingSuite.GetTestCases());
    cases.AddRange(SmugglingSuite.GetSequenceTestCases());
    cases.AddRange(MalformedInputSuite.GetTestCases());
    cases.AddRange(NormalizationSuite.GetTestCases());
    cases.AddRange(CapabilitiesSuite.GetSequenceTestCases());
    cases.AddRange(CookieSuite.GetTestCases());

    var report = await new TestRunner(options).RunAsync(cases, r =>
        Console.WriteLine($"{r.Verdict,-6} {(r.TestCase.Scored ? "" : "(unscored) ")}{r.TestCase.Id} {r.Response?.StatusCode.ToString() ?? r.ConnectionState.ToString()}"));

    var mustFailures = report.Results.Where(r => r.TestCase.Scored && r.Verdict == TestVerdict.Fail && r.TestCase.RfcLevel == RfcLevel.Must).ToList();
    var md = new StringBuilder();
    md.AppendLine($"### {parse.GetValue(label)}: {report.PassCount + report.WarnCount}/{report.ScoredCount} scored tests pass " +
                  $"({report.PassCount} pass, {report.WarnCount} warn, {report.FailCount} fail; {mustFailures.Count} MUST-level failures; " +
                  $"{report.UnscoredCount} unscored, {report.ErrorCount} errors) in {report.TotalDuration.TotalSeconds:F0} s");
    md.AppendLine();
    md.AppendLine("| test | level | scored | verdict | got | note |");
    md.AppendLine("|---|---|---|---|---|---|");
    foreach (var r in report.Results)
    {
        string got = r.Response is { } response ? response.StatusCode.ToString() : r.ConnectionState.ToString();
        string note = (r.ErrorMessage ?? r.BehavioralNote ?? "").Replace('|', '/').Replace('\n', ' ').Replace('\r', ' ');
        md.AppendLine($"| {r.TestCase.Id} | {r.TestCase.RfcLevel} | {(r.TestCase.Scored ? "yes" : "no")} | {r.Verdict} | {got} | {note} |");
    }
    Console.WriteLine();
    Console.WriteLine(md.ToString().Split('\n')[0]);
    foreach (var f in mustFailures) Console.WriteLine($"  MUST failure: {f.TestCase.Id}");
    if (parse.GetValue(output) is { } file) await File.WriteAllTextAsync(file.FullName, md.ToString(), cancel);
    return 0;
});
return await root.Parse(args).InvokeAsync();
