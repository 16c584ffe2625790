require ["include","fileinto"];
fileinto "before";
return;
fileinto "never";
