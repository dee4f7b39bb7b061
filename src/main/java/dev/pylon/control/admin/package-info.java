/**
 * The admin API's wire contract: the request bodies the CLI sends and the views the daemon answers
 * with, as records Jackson writes and reads. {@code AdminApi} (the daemon's HTTP side), {@code
 * AdminClient} and the CLI share them, so a field is named once. The order of a record's components
 * is the order of the JSON keys; an absent optional field is {@code null} and left out.
 */
package dev.pylon.control.admin;
