// CONTRACT (temporary): how Server mounts the web front ends on its HTTP router. Each helper
// replaces its function with the real one in its own file (Console/, API/, Autoconfig/) and
// deletes its part here. (Autoconfig: Sources/Web/Autoconfig/WebRoutes+Autoconfig.swift.)
import Admin
import Hummingbird
import Logging

public enum WebRoutes {
    /// The JSON API under `/api/v1` and its OpenAPI document.
    public static func addAPI(to router: Router<WebRequestContext>, console: AdminConsole, logger: Logger) {}
}
