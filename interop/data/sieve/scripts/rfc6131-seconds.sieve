require ["vacation-seconds"];
vacation :seconds 1800 "I am checking mail every half hour.";
