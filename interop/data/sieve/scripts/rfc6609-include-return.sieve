require ["include","fileinto"];
include "r";
fileinto "after";
