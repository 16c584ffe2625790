require ["imap4flags","fileinto"];
addflag "A";
fileinto "Archive";
addflag "B";
fileinto "Lists";
