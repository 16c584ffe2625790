require ["encoded-character","fileinto"];
fileinto "$${hex:24 24}";
