require ["include","variables"];
global "folder";
set "folder" "Shared";
include "g";
