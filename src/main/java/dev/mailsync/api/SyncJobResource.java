package dev.mailsync.api;

import dev.mailsync.api.SyncDtos.SyncJobResponse;
import dev.mailsync.service.SyncJobService;
import dev.mailsync.service.SyncJobView;
import dev.mailsync.sync.JobStatus;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code /v1/sync-jobs}: getSyncJob and cancelSyncJob of openapi.yaml. Scheduling and history live
 * under the device ({@link DeviceResource}).
 */
@Path("/v1/sync-jobs")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SyncJobResource {
    private final SyncJobService jobs;
    private final JsonWebToken jwt;

    @Inject
    SyncJobResource(SyncJobService jobs, JsonWebToken jwt) {
        this.jobs = jobs;
        this.jwt = jwt;
    }

    @GET
    @Path("{jobId}")
    public SyncJobResponse get(@PathParam("jobId") String jobId) {
        SyncJobService.JobWithReport read = jobs.getWithReport(jwt.getSubject(), jobId);
        return SyncJobResponse.of(read.job(), read.pop3Report());
    }

    /** 200 when the job is cancelled at once, 202 when a running job was asked to stop. */
    @DELETE
    @Path("{jobId}")
    public Response cancel(@PathParam("jobId") String jobId) {
        SyncJobView job = jobs.cancel(jwt.getSubject(), jobId);
        return Response.status(job.status() == JobStatus.RUNNING ? 202 : 200)
                .entity(SyncJobResponse.of(job))
                .build();
    }
}
