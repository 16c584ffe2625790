require ["vacation","fileinto"];
fileinto "Archive";
vacation "away";
