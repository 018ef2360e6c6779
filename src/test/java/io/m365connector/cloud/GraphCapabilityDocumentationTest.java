package io.m365connector.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-cloud table of the README and docs/ROOMS.md says what {@link GraphCapability} says, and names each Microsoft page. */
class GraphCapabilityDocumentationTest {
    @Test
    void whenTheReadmeMatrixIsReadThenEachRowIsTheCapabilityTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        for (GraphCapability api : GraphCapability.values()) {
            List<String> cells = new ArrayList<>();
            for (NationalCloud cloud : NationalCloud.values()) {
                cells.add(switch (api.in(cloud)) {
                    case SERVED -> "yes";
                    case UNCERTAIN -> "tried (pages disagree)";
                    case NOT_SERVED -> "no";
                });
            }
            String row = "| *" + api.page() + "* | " + String.join(" | ", cells) + " |";
            assertTrue(readme.contains(row), "README lacks the row " + row);
        }
    }

    @Test
    void whenRoomsDocIsReadThenItNamesEachPageWithItsAddress() throws IOException {
        String rooms = Files.readString(Path.of("docs", "ROOMS.md"));
        for (GraphCapability api : GraphCapability.values()) {
            assertTrue(rooms.contains("*" + api.page() + "*, " + api.url()), api.page() + " with its URL");
        }
    }

    @Test
    void whenTheTableIsReadThenItIsWhatMicrosoftsPagesSay() {
        // the versions of both pages disagree about 21Vianet (earlier ones without it, current ones with it): tried there
        assertEquals(GraphCapability.Support.UNCERTAIN, GraphCapability.PLACES.in(NationalCloud.CHINA));
        assertEquals(GraphCapability.Support.UNCERTAIN, GraphCapability.FIND_MEETING_TIMES.in(NationalCloud.CHINA));
        for (NationalCloud cloud : NationalCloud.values()) {
            assertEquals(GraphCapability.Support.SERVED, GraphCapability.GET_SCHEDULE.in(cloud));
        }
        assertTrue(GraphCapability.PLACES.mayBeServedIn(NationalCloud.USGOV));
    }
}
