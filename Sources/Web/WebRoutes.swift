/// How Server mounts the web front ends on an HTTP listener's router: `addConsole` (Console/),
/// `addAPI` (API/), `addAutoconfig` (Autoconfig/). Each front end only translates requests into
/// `AdminConsole` calls and results into pages, JSON or XML.
public enum WebRoutes {}
