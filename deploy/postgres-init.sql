-- One database per service: no service ever reads another's tables.
CREATE DATABASE consultation;
CREATE DATABASE notifications;
CREATE DATABASE recommendations;
CREATE DATABASE gateway;
