package dev.mailsync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mailsync.api.DeviceDtos.DeviceInput;
import dev.mailsync.api.DeviceDtos.DeviceResponse;
import dev.mailsync.api.SyncDtos.AckRequest;
import dev.mailsync.api.SyncDtos.ChangesResponse;
import dev.mailsync.api.SyncDtos.SyncJobRequest;
import dev.mailsync.api.SyncDtos.SyncJobResponse;
import dev.mailsync.api.SyncDtos.ViewResponse;
import dev.mailsync.config.MailsyncConfig;
import dev.mailsync.service.DeltaService;
import dev.mailsync.service.DeviceService;
import dev.mailsync.service.FieldError;
import dev.mailsync.service.InvalidInputException;
import dev.mailsync.service.SyncJobService;
import dev.mailsync.sync.Device;
import dev.mailsync.sync.DeviceChangeRules;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code /v1/accounts/{accountId}/devices}: the device operations of openapi.yaml, and what a device
 * does with its sync state (scheduleSync, listSyncJobs, getChanges, acknowledgeState, listMessages).
 * They share one resource class because JAX-RS picks the class by path prefix first.
 */
@Path("/v1/accounts/{accountId}/devices")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class DeviceResource {
    private final DeviceService devices;
    private final JsonBodies bodies;
    private final JsonWebToken jwt;
    private final SyncJobService syncJobs;
    private final DeltaService deltas;
    private final MailsyncConfig config;

    @Inject
    DeviceResource(
            DeviceService devices,
            JsonBodies bodies,
            JsonWebToken jwt,
            SyncJobService syncJobs,
            DeltaService deltas,
            MailsyncConfig config) {
        this.devices = devices;
        this.bodies = bodies;
        this.jwt = jwt;
        this.syncJobs = syncJobs;
        this.deltas = deltas;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@PathParam("accountId") String accountId, String body, UriInfo uri)
            throws JsonProcessingException {
        Device created = devices.create(
                owner(), accountId, bodies.read(body, DeviceInput.class).toSettings());
        return Response.created(uri.getAbsolutePathBuilder().path(created.id()).build())
                .entity(DeviceResponse.of(created))
                .build();
    }

    @GET
    public PageResponse<DeviceResponse> list(
            @PathParam("accountId") String accountId,
            @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        return PageResponse.of(devices.list(owner(), accountId, cursor, Paging.limit(limit)), DeviceResponse::of);
    }

    @GET
    @Path("{deviceId}")
    public DeviceResponse get(@PathParam("accountId") String accountId, @PathParam("deviceId") String deviceId) {
        return DeviceResponse.of(devices.get(owner(), accountId, deviceId));
    }

    @PATCH
    @Path("{deviceId}")
    @Consumes({AccountResource.MERGE_PATCH, MediaType.APPLICATION_JSON})
    public DeviceResponse update(
            @PathParam("accountId") String accountId, @PathParam("deviceId") String deviceId, String body)
            throws JsonProcessingException {
        var patch = bodies.mergePatch(body, DeviceInput.class);
        return DeviceResponse.of(devices.update(
                owner(),
                accountId,
                deviceId,
                current -> patch.apply(DeviceInput.of(current)).toSettings()));
    }

    @DELETE
    @Path("{deviceId}")
    // 204 or a problem: a client may accept only application/problem+json (generated clients do).
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public Response delete(@PathParam("accountId") String accountId, @PathParam("deviceId") String deviceId) {
        devices.delete(owner(), accountId, deviceId);
        return Response.noContent().build();
    }

    /**
     * The body is optional ("sync now"); when there is one it must be JSON. A JSON {@code null} counts as
     * no body: generated clients (openapi-generator's Java client) send it when the optional body is absent.
     */
    @POST
    @Path("{deviceId}/sync-jobs")
    public Response scheduleSync(
            @PathParam("accountId") String accountId,
            @PathParam("deviceId") String deviceId,
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            @HeaderParam("Content-Type") String contentType,
            String body,
            UriInfo uri)
            throws JsonProcessingException {
        boolean empty = body == null || body.isBlank() || body.strip().equals("null");
        if (!empty
                && (contentType == null
                        || !MediaType.valueOf(contentType).isCompatible(MediaType.APPLICATION_JSON_TYPE))) {
            throw new NotSupportedException();
        }
        SyncJobRequest request = empty ? new SyncJobRequest(null) : bodies.read(body, SyncJobRequest.class);
        DeviceChangeRules.Parsed changes = DeviceChangeRules.parse(request.changes());
        if (!changes.valid()) {
            throw new InvalidInputException(changes.problems().stream()
                    .map(p -> new FieldError(p.field(), p.message()))
                    .toList());
        }
        SyncJobService.Scheduled scheduled =
                syncJobs.schedule(owner(), accountId, deviceId, changes.changes(), idempotencyKey);
        return Response.accepted(SyncJobResponse.of(scheduled.job()))
                .location(uri.getBaseUriBuilder()
                        .path("v1/sync-jobs")
                        .path(scheduled.job().id())
                        .build())
                .header("Sync-Job-Outcome", scheduled.outcome().name())
                .build();
    }

    @GET
    @Path("{deviceId}/sync-jobs")
    public PageResponse<SyncJobResponse> listSyncJobs(
            @PathParam("accountId") String accountId,
            @PathParam("deviceId") String deviceId,
            @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        return PageResponse.of(
                syncJobs.history(owner(), accountId, deviceId, cursor, Paging.limit(limit)), SyncJobResponse::of);
    }

    @GET
    @Path("{deviceId}/changes")
    public ChangesResponse changes(
            @PathParam("accountId") String accountId,
            @PathParam("deviceId") String deviceId,
            @QueryParam("since") String since,
            @QueryParam("limit") String limit) {
        return ChangesResponse.of(
                deltas.changes(owner(), accountId, deviceId, since, Paging.deltaLimit(limit, config)));
    }

    @POST
    @Path("{deviceId}/ack")
    @Consumes(MediaType.APPLICATION_JSON)
    // 204 or a problem: a client may accept only application/problem+json (generated clients do).
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public Response ack(@PathParam("accountId") String accountId, @PathParam("deviceId") String deviceId, String body)
            throws JsonProcessingException {
        deltas.acknowledge(
                owner(),
                accountId,
                deviceId,
                bodies.read(body, AckRequest.class).state());
        return Response.noContent().build();
    }

    @GET
    @Path("{deviceId}/messages")
    public ViewResponse messages(
            @PathParam("accountId") String accountId,
            @PathParam("deviceId") String deviceId,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        return ViewResponse.of(deltas.view(owner(), accountId, deviceId, cursor, Paging.deltaLimit(limit, config)));
    }

    private String owner() {
        return jwt.getSubject();
    }
}
